package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU bundle's scripts as far as a machine without a GPU can take them: {@code scripts/gpu/bundle.sh} packs
 * the built (CPU) toolkit into parts under the size limit with a manifest of SHA-256 sums, and
 * {@code scripts/gpu/stage-and-run.sh} stages them one at a time, rejects a damaged or missing part,
 * reassembles and unpacks them, and the unpacked toolkit (natives jars repacked uncompressed) trains.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GpuBundleIT {
    private static final String ARCHIVE = "toolkit-bundle.tar.xz";
    private static final long PART = 16L << 20;

    @TempDir
    static Path tmp;

    private static Path parts;

    record Run(int exitCode, String output) {
    }

    private static Path repo() {
        return Path.of(System.getProperty("toolkit.repo")).toAbsolutePath().normalize();
    }

    private static Run bash(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo().toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile(tmp, "bash", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command + "\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static Map<String, String> stageEnv(String name) {
        return Map.of("STAGE", tmp.resolve(name + "-stage").toString(), "GPU_BUNDLE_HOME",
                tmp.resolve(name + "-home").toString());
    }

    private static List<Path> partFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(ARCHIVE + ".part")).sorted().toList();
        }
    }

    @Test
    @Order(1)
    void bundlesTheBuiltToolkitIntoVerifiedParts() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/xz")) || Files.isExecutable(Path.of("/bin/xz")),
                "xz is not installed");
        parts = tmp.resolve("parts");
        Run r = bash(Map.of(), "scripts/gpu/bundle.sh", "--cpu", "--toolkit", System.getProperty("toolkit.home"),
                "--level", "0", "--part-size", "16M", "--out", parts.toString());
        assertEquals(0, r.exitCode(), r.output());
        List<Path> files = partFiles(parts);
        assertTrue(files.size() >= 2, "the CPU toolkit is over 16 MB compressed, so it must come in parts: " + files);
        List<String> manifest = Files.readAllLines(parts.resolve("MANIFEST.sha256"));
        assertTrue(manifest.get(0).contains("natives cpu, jre no"), manifest.get(0));
        for (Path f : files) {
            assertTrue(Files.size(f) <= PART, f + " is " + Files.size(f) + " bytes");
            String line = sha256(f) + "  " + f.getFileName();
            assertTrue(manifest.contains(line), "manifest lacks '" + line + "':\n" + manifest);
        }
        assertEquals(files.size() + 2, manifest.size(), "two comment lines, then one sum per part:\n" + manifest);

        Run tooLarge = bash(Map.of(), "scripts/gpu/bundle.sh", "--part-size", "56M", "--out", tmp.resolve("x").toString());
        assertEquals(1, tooLarge.exitCode(), tooLarge.output());
        assertTrue(tooLarge.output().contains("over 55M"), tooLarge.output());
    }

    @Test
    @Order(2)
    void stagesOnePartPerCommandThenUnpacksAToolkitThatTrains() throws Exception {
        assumeTrue(parts != null, "no parts were made");
        Map<String, String> env = stageEnv("good");
        List<Path> files = partFiles(parts);
        for (int i = 0; i < files.size(); i++) {
            Run r = bash(env, "scripts/gpu/stage-and-run.sh", "stage", files.get(i).toString());
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains((i + 1) + " of " + files.size() + " parts"), r.output());
        }
        Run unpack = bash(env, "scripts/gpu/stage-and-run.sh", "unpack");
        assertEquals(0, unpack.exitCode(), unpack.output());
        Path home = Path.of(env.get("GPU_BUNDLE_HOME"));
        assertTrue(Files.readString(home.resolve("BUNDLE.txt")).contains("natives: cpu"));
        assertTrue(Files.isRegularFile(home.resolve("benchmarks/pytorch_gpu_peer.py")));
        assertTrue(Files.isRegularFile(home.resolve("benchmarks/torch_reference.py")));
        assertFalse(Files.exists(Path.of(env.get("STAGE")).resolve(ARCHIVE)), "the reassembled archive is removed");
        Run again = bash(env, "scripts/gpu/stage-and-run.sh", "unpack");
        assertTrue(again.output().contains("already unpacked"), again.output());

        Path run = tmp.resolve("run");
        String toolkit = home.resolve("bin/toolkit").toString();
        Run train = bash(Map.of(), toolkit, "train", "--epochs", "1", "--max-train", "64", "--max-test", "32", "-D",
                "train-size=64", "-D", "test-size=32", "--out", run.toString());
        assertEquals(0, train.exitCode(), train.output());
        assertTrue(Files.isRegularFile(run.resolve("decoder.onnx")), train.output());

        Run cuda = bash(Map.of(), toolkit, "train", "--device", "cuda", "--out", tmp.resolve("cuda").toString());
        assertEquals(1, cuda.exitCode(), cuda.output());
        assertTrue(cuda.output().contains("cuda:0 requested but the toolkit was built without GPU natives"),
                cuda.output());

        // The checks leave at most 8 files in OUT (what the device tool brings back): the table and one archive
        // of the logs, packed after every row.
        Path out = tmp.resolve("out");
        Map<String, String> checksEnv = new java.util.HashMap<>(env);
        checksEnv.putAll(Map.of("OUT", out.toString(), "CHECKS", "env", "BUDGET", "60", "CUDA_LIB_DIRS", ""));
        Run checks = bash(checksEnv, "scripts/gpu/stage-and-run.sh", "checks");
        assertEquals(0, checks.exitCode(), checks.output());
        List<String> summary = Files.readAllLines(out.resolve("summary.txt"));
        assertTrue(summary.stream().anyMatch(l -> l.matches("env +OK .*toolkit .*")), String.join("\n", summary));
        assertTrue(summary.stream().anyMatch(l -> l.matches("cuda provider links +FAIL +no GPU natives jar.*")),
                String.join("\n", summary));
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("results.tar.gz", "summary.txt"), names);
        }
        Run listing = bash(Map.of(), "-c", "tar -tzf " + out.resolve("results.tar.gz"));
        assertEquals(0, listing.exitCode(), listing.output());
        assertTrue(listing.output().contains("logs/env.log") && listing.output().contains("logs/version.log"),
                listing.output());
    }

    @Test
    @Order(3)
    void rejectsADamagedPartAndAMissingOne() throws Exception {
        assumeTrue(parts != null, "no parts were made");
        List<Path> files = partFiles(parts);
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(parts.resolve("MANIFEST.sha256"), bad.resolve("MANIFEST.sha256"));
        Path part = bad.resolve(files.get(0).getFileName());
        byte[] bytes = Files.readAllBytes(files.get(0));
        bytes[bytes.length / 2] ^= 1;
        Files.write(part, bytes);
        Map<String, String> env = stageEnv("bad");
        Run r = bash(env, "scripts/gpu/stage-and-run.sh", "stage", part.toString());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("checksum mismatch for " + files.get(0).getFileName()), r.output());

        Run first = bash(env, "scripts/gpu/stage-and-run.sh", "stage", files.get(0).toString());
        assertEquals(0, first.exitCode(), first.output());
        Run unpack = bash(env, "scripts/gpu/stage-and-run.sh", "unpack");
        assertNotEquals(0, unpack.exitCode(), unpack.output());
        assertTrue(unpack.output().contains("missing parts in"), unpack.output());
        assertTrue(unpack.output().contains(files.get(1).getFileName().toString()), unpack.output());
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
