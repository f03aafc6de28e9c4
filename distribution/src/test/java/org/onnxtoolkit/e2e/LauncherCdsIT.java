package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class data sharing archive: used while it matches lib/'s jars, recorded again once a build
 * that did not go through the launcher (the test command, {@code mvn package}) replaced them; the JVM would
 * otherwise ignore the stale archive silently on every run. The real launcher script runs in a copy of the
 * repository layout with a {@code java} on the PATH that prints the options it was given.
 */
class LauncherCdsIT {

    @TempDir
    Path repo;
    private Path lib;
    private Path jsa;

    @BeforeEach
    void layout() throws IOException {
        Path launcher = repo.resolve("toolkit");
        Files.copy(Path.of(System.getProperty("toolkit.repo"), "toolkit"), launcher);
        Path dist = repo.resolve("distribution/target/toolkit");
        lib = Files.createDirectories(dist.resolve("lib"));
        Files.writeString(dist.resolve(".built"), "cpu\n");
        Files.write(lib.resolve("toolkit-engine.jar"), new byte[] {1, 2, 3});
        jsa = Files.createDirectories(dist.resolve("cds")).resolve("toolkit.jsa");
        Files.write(jsa, new byte[] {4, 5, 6});
        Path bin = Files.createDirectories(repo.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\necho \"java $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        // nothing is newer than the build stamp, so the launcher does not build
        Instant built = Instant.now().minusSeconds(3600);
        Files.setLastModifiedTime(dist.resolve(".built"), FileTime.from(Instant.now()));
        Files.setLastModifiedTime(launcher, FileTime.from(built));
    }

    private String launch(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = repo.resolve("toolkit").toString();
        System.arraycopy(args, 0, command, 2, args.length);
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", repo.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().remove("TOOLKIT_CDS");
        pb.environment().remove("TOOLKIT_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void anArchiveNewerThanEveryJarIsUsed() throws Exception {
        Files.setLastModifiedTime(lib.resolve("toolkit-engine.jar"), FileTime.from(Instant.now().minusSeconds(600)));
        Files.setLastModifiedTime(lib, FileTime.from(Instant.now().minusSeconds(600)));
        String out = launch("sample", "--help");
        assertTrue(out.contains("-XX:SharedArchiveFile=" + jsa), out);
        assertTrue(Files.exists(jsa));
    }

    @Test
    void aJarReplacedAfterTheArchiveWasRecordedMakesTheNextTrainRecordItAgain() throws Exception {
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now().minusSeconds(600)));
        String out = launch("train", "--epochs", "1");
        assertFalse(Files.exists(jsa), "the stale archive is removed");
        assertFalse(out.contains("-XX:SharedArchiveFile="), out);
        assertTrue(out.contains("-XX:ArchiveClassesAtExit="), "train records a new archive: " + out);
    }

    @Test
    void aStaleArchiveIsNotUsedByOtherCommandsEither() throws Exception {
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now().minusSeconds(600)));
        String out = launch("sample", "--help");
        assertFalse(out.contains("SharedArchiveFile") || out.contains("ArchiveClassesAtExit"), out);
        assertFalse(Files.exists(jsa));
    }
}
