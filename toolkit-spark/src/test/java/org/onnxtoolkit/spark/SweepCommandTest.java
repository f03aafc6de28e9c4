package org.onnxtoolkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ./toolkit sweep} refuses before any Spark context starts: one line, exit code 2, nothing written. */
class SweepCommandTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkToolkit.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertUsage(String expected, Result r) {
        assertEquals(2, r.code(), r.toString());
        assertEquals("toolkit: " + expected + System.lineSeparator(), r.err());
    }

    @Test
    void refusesWhatCannotWork(@TempDir Path tmp) throws Exception {
        String home = System.getProperty("toolkit.home");
        System.setProperty("toolkit.home", tmp.toString());
        try {
            refuses(tmp);
        } finally {
            if (home == null) {
                System.clearProperty("toolkit.home");
            } else {
                System.setProperty("toolkit.home", home);
            }
        }
    }

    @Test
    void needsToKnowWhereTheToolkitIs(@TempDir Path tmp) {
        String home = System.getProperty("toolkit.home");
        System.clearProperty("toolkit.home");
        try {
            Result r = run("sweep", "--spark", "local[1]", "--grid", "lr=1", "--out", tmp.resolve("s").toString());
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("toolkit: system property toolkit.home is not set; start the sweep with"
                    + " ./toolkit"), r.err());
        } finally {
            if (home != null) {
                System.setProperty("toolkit.home", home);
            }
        }
    }

    private static void refuses(Path tmp) throws Exception {
        Path out = tmp.resolve("s");
        assertUsage("give --spark MASTER: local[N] on this machine, or spark://host:port",
                run("sweep", "--grid", "lr=1,2", "--out", out.toString()));
        assertUsage("give --out DIR for a new sweep, or --resume DIR to continue one",
                run("sweep", "--spark", "local[1]", "--grid", "lr=1,2"));
        assertUsage("a sweep needs at least one --grid KEY=V1,V2,...",
                run("sweep", "--spark", "local[1]", "--out", out.toString()));
        assertUsage("--grid bogus: ./toolkit train has no flag --bogus (./toolkit train --help lists them)",
                run("sweep", "--spark", "local[1]", "--grid", "bogus=1,2", "--out", out.toString()));
        Result unknown = run("sweep", "--spark", "local[1]", "--grid", "lr=1", "--bogus", "--out", out.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("toolkit: run 01-lr=1: Unknown option: '--bogus'"), unknown.err());
        Result badValue = run("sweep", "--spark", "local[1]", "--grid", "epochs=2,x", "--out", out.toString());
        assertEquals(2, badValue.code());
        assertTrue(badValue.err().contains("run 02-epochs=x: Invalid value for option '--epochs'"), badValue.err());
        assertFalse(Files.exists(out), "a refused sweep wrote its folder");

        Files.createDirectories(out);
        Files.writeString(out.resolve("x"), "x");
        assertUsage("sweep folder " + out + " already exists and is not empty; continue it with --resume " + out
                + " or choose another --out", run("sweep", "--spark", "local[1]", "--grid", "lr=1", "--out", out.toString()));
        assertUsage(out + " is not a sweep folder: sweep.json is missing", run("sweep", "--resume", out.toString()));
        assertUsage("--resume continues a sweep with its stored grid and flags; give only --resume DIR (and optionally"
                + " --spark, --conf)", run("sweep", "--resume", out.toString(), "--grid", "lr=1"));
    }
}
