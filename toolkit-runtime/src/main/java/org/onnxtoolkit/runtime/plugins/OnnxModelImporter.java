package org.onnxtoolkit.runtime.plugins;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.ModelImporter;
import org.onnxtoolkit.compiler.imports.OnnxImport;

/** The {@link ModelImporter} plugins are given: the compiler's {@link OnnxImport}. Stateless, thread-safe. */
final class OnnxModelImporter implements ModelImporter {
    static final OnnxModelImporter INSTANCE = new OnnxModelImporter();

    private OnnxModelImporter() {
    }

    /** What is inside a file is wrong: an unchecked I/O failure (exit 1), its lines joined into one. */
    private static java.io.UncheckedIOException content(IOException e) {
        if (e instanceof org.onnxtoolkit.compiler.io.NotARegularFileException) {
            return new java.io.UncheckedIOException(e);
        }
        return new java.io.UncheckedIOException(new IOException(String.join(";", e.getMessage().lines().toList()), e));
    }

    @Override
    public Model read(Path file) {
        OnnxImport imported;
        try {
            imported = OnnxImport.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist", e);
        } catch (IOException e) {
            throw content(e);
        }
        return new Model() {
            @Override
            public List<String> inputs() {
                return imported.inputs().stream().map(OnnxImport.Input::onnxName).toList();
            }

            @Override
            public Shape inputShape(String input) {
                return imported.inputs().stream().filter(i -> i.onnxName().equals(input)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(file + " has no input '" + input + "'"))
                        .shape();
            }

            @Override
            public List<String> outputs() {
                return imported.outputs();
            }

            @Override
            public Map<String, Value> addTo(Graph g, Map<String, Value> inputs, Predicate<String> frozen) {
                try {
                    return imported.addTo(g, inputs, frozen);
                } catch (IOException e) {
                    throw content(e);
                }
            }
        };
    }
}
