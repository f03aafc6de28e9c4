package org.onnxtoolkit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads the {@code META-INF/beans.xml} of the jar or classes folder that holds a class: the file the toolkit's
 * CDI container reads for that jar (not the first one on the test's class path).
 */
final class BeansXml {
    static final String PATH = "META-INF/beans.xml";
    static final String JAKARTA_NAMESPACE = "https://jakarta.ee/xml/ns/jakartaee";

    private BeansXml() {
    }

    /** Where {@code type} was loaded from: a jar file or a classes folder. */
    static Path location(Class<?> type) {
        CodeSource source = type.getProtectionDomain() == null ? null : type.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        if (url == null) {
            throw new IllegalStateException(type.getName() + " has no code source (a JDK or generated class?)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException(type.getName() + " comes from " + url + ", not from a jar or folder", e);
        }
    }

    /** The root element of {@code location}'s beans.xml, or null when it has none. */
    static Element read(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            Path file = location.resolve(PATH);
            if (!Files.isRegularFile(file)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(file)) {
                return parse(in, file.toString());
            }
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            ZipEntry entry = jar.getEntry(PATH);
            if (entry == null) {
                return null;
            }
            try (InputStream in = jar.getInputStream(entry)) {
                return parse(in, location + "!/" + PATH);
            }
        }
    }

    private static Element parse(InputStream in, String name) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            // A beans.xml has no business with DTDs or external entities; refuse them rather than fetch anything.
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            // The default handler also prints "[Fatal Error] ..." to stderr; this one only throws.
            builder.setErrorHandler(new DefaultHandler());
            return builder.parse(in, name).getDocumentElement();
        } catch (SAXException e) {
            throw new IOException(name + " is not well-formed XML (" + e.getMessage() + ")", e);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured", e);
        }
    }
}
