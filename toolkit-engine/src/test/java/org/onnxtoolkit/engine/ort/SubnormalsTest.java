package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sessions flush subnormal floats to zero unless {@code -Dtoolkit.ort.subnormals=keep}: checked in fresh JVMs
 * ({@link SubnormalProbe}), because ORT sets the calling thread's mode once per process, at its first session.
 */
class SubnormalsTest {

    @Test
    void sessionsFlushSubnormalsToZeroByDefault() throws Exception {
        assertEquals("ort=0.0 java=0.0", probe(null),
                "ORT flushed 1e-40 to zero; the flag is the thread's, so the same thread's Java arithmetic flushes too");
    }

    @Test
    void keepGivesExactSubnormals() throws Exception {
        assertEquals("ort=1.0E-40 java=1.0E-40", probe("keep"));
    }

    @Test
    void aMisspelledValueIsRefusedWithTheAllowedOnes() {
        String before = System.getProperty(SessionOptions.SUBNORMALS_PROPERTY);
        System.setProperty(SessionOptions.SUBNORMALS_PROPERTY, "off");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    SessionOptions::flushesSubnormals);
            assertEquals("system property toolkit.ort.subnormals must be \"flush\" or \"keep\" but was \"off\"",
                    e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(SessionOptions.SUBNORMALS_PROPERTY);
            } else {
                System.setProperty(SessionOptions.SUBNORMALS_PROPERTY, before);
            }
        }
        assertTrue(SessionOptions.flushesSubnormals());
    }

    private static String probe(String subnormals) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path")));
        if (subnormals != null) {
            cmd.add("-D" + SessionOptions.SUBNORMALS_PROPERTY + "=" + subnormals);
        }
        cmd.add(SubnormalProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("ort=")).findFirst().orElse(out);
    }
}
