package org.onnxtoolkit.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.onnxtoolkit.compiler.io.FileKind;

/**
 * Nothing is overwritten that is not the toolkit's: {@code --out} on a device node, a named pipe, a folder or a link
 * to one of them is refused with one line and left as it was; a link to a regular file is kept and its target
 * replaced. Inputs that are not regular files are refused without being opened (a named pipe would block), and a
 * full disk names the file being written.
 */
class SafeOutputsIT {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};
    private static final Duration PROMPTLY = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static Path run;
    static Path picture;

    @BeforeAll
    static void trainOnce() {
        run = TinyRun.train(tmp.resolve("run"));
        picture = run.resolve("samples-001.png");
    }

    /** The command line of each command that writes a PNG, with {@code out} as its {@code --out}. */
    private static String[] writing(String command, Path out) {
        String r = run.toString();
        return switch (command) {
            case "sample" -> new String[] {"sample", "--model", run.resolve("decoder.onnx").toString(), "--n", "4", "--out",
                    out.toString()};
            case "reconstruct" -> new String[] {"reconstruct", "--run", r, "--n", "4", "--out", out.toString()};
            case "manifold" -> new String[] {"manifold", "--run", r, "--steps", "3", "--out", out.toString()};
            case "interpolate" -> new String[] {"interpolate", "--run", r, "--from", picture.toString(), "--to",
                    picture.toString(), "--steps", "3", "--out", out.toString()};
            default -> throw new IllegalArgumentException(command);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"sample", "reconstruct", "manifold", "interpolate"})
    void aDeviceNodeSurvives(String command) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("device-" + command));
        Path device = RootOnly.characterDevice(dir.resolve("null"));
        Object rdev = Files.getAttribute(device, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        Cli.Result r = Cli.run(writing(command, device));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("toolkit: cannot write " + device + ": it is a character device, not a regular file, and the toolkit"
                + " only creates or replaces regular files; give the path of a new file or of a regular file to replace\n",
                r.err());
        assertEquals(FileKind.CHARACTER_DEVICE, FileKind.of(device, false), "still a device");
        assertEquals(rdev, Files.getAttribute(device, "unix:rdev", LinkOption.NOFOLLOW_LINKS), "the same device");
        assertEquals(List.of("null"), names(dir), "no temporary file left");
    }

    @Test
    void aLinkToADeviceSurvivesWithItsDevice() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("link-to-device"));
        Path device = RootOnly.characterDevice(dir.resolve("null"));
        Path link = Files.createSymbolicLink(dir.resolve("samples.png"), device);
        Cli.Result r = Cli.run(writing("sample", link));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("toolkit: cannot write " + link + ": it is a symbolic link to " + device
                + ", a character device, not a regular file"), r.err());
        assertOneLine(r);
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(FileKind.CHARACTER_DEVICE, FileKind.of(device, false));
    }

    @Test
    void aNamedPipeIsRefusedPromptlyAndSurvives() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fifo-out"));
        Path fifo = RootOnly.mkfifo(dir.resolve("samples.png"));
        // Writing to a pipe without a reader would block forever: a refusal must come without opening it.
        Cli.Result r = assertTimeoutPreemptively(PROMPTLY, () -> Cli.run(writing("sample", fifo)));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("toolkit: cannot write " + fifo + ": it is a named pipe (FIFO), not a regular file"),
                r.err());
        assertOneLine(r);
        assertEquals(FileKind.FIFO, FileKind.of(fifo, false));
        assertEquals(List.of("samples.png"), names(dir));
    }

    @Test
    void aFolderIsRefusedAndKeepsItsFiles() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("folder-out"));
        Files.writeString(dir.resolve("keep.txt"), "keep");
        Cli.Result r = Cli.run(writing("manifold", dir));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("toolkit: cannot write " + dir + ": it is a folder, not a regular file, and the toolkit only creates"
                + " or replaces regular files; give the path of a file (in that folder, for example)\n", r.err());
        assertEquals(List.of("keep.txt"), names(dir));
        assertEquals("keep", Files.readString(dir.resolve("keep.txt")));
    }

    @Test
    void aLinkToARegularFileIsKeptAndItsTargetReplaced() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("link-to-file"));
        Path real = Files.createDirectories(dir.resolve("pictures")).resolve("latest.png");
        Files.writeString(real, "the previous picture");
        Path link = Files.createSymbolicLink(dir.resolve("samples.png"), Path.of("pictures/latest.png"));
        Cli.Result r = Cli.run(writing("sample", link));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertEquals(Path.of("pictures/latest.png"), Files.readSymbolicLink(link));
        byte[] png = Files.readAllBytes(real);
        assertArrayEquals(PNG_MAGIC, java.util.Arrays.copyOf(png, 4), "the file it points to is the new PNG");
        assertArrayEquals(png, Files.readAllBytes(link));
        assertEquals(List.of("latest.png"), names(real.getParent()), "no temporary file left");
    }

    @Test
    void inputsThatAreNotFilesAreNeverOpened() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("fifo-in"));
        Path fifoModel = RootOnly.mkfifo(dir.resolve("decoder.onnx"));
        List<String[]> commands = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        commands.add(new String[] {"sample", "--model", fifoModel.toString(), "--out", dir.resolve("a.png").toString()});
        expected.add("toolkit: " + fifoModel + " is a named pipe (FIFO), not a regular file; give the path of a file\n");
        commands.add(new String[] {"interpolate", "--run", run.toString(), "--from", fifoModel.toString(), "--to",
                picture.toString(), "--out", dir.resolve("b.png").toString()});
        expected.add("toolkit: --from " + fifoModel + " is a named pipe (FIFO), not a picture file\n");
        // A run folder whose files are pipes: export reads decoder.onnx, reconstruct run.json, interpolate encoder.onnx.
        for (String file : List.of("decoder.onnx", "run.json", "encoder.onnx")) {
            Path folder = Files.createDirectories(tmp.resolve("pipe-run-" + file));
            for (String f : List.of("decoder.onnx", "encoder.onnx", "run.json")) {
                if (f.equals(file)) {
                    RootOnly.mkfifo(folder.resolve(f));
                } else {
                    Files.copy(run.resolve(f), folder.resolve(f));
                }
            }
            String command = switch (file) {
                case "decoder.onnx" -> "export";
                case "run.json" -> "reconstruct";
                default -> "interpolate";
            };
            commands.add(switch (command) {
                case "export" -> new String[] {"export", "--run", folder.toString(), "--out", dir.resolve("e").toString()};
                case "reconstruct" -> new String[] {"reconstruct", "--run", folder.toString(), "--out",
                        dir.resolve("c.png").toString()};
                default -> new String[] {"interpolate", "--run", folder.toString(), "--from", picture.toString(), "--to",
                        picture.toString(), "--out", dir.resolve("d.png").toString()};
            });
            expected.add("toolkit: " + folder.resolve(file) + " is a named pipe (FIFO), not a regular file; give the path"
                    + " of a file\n");
        }
        for (int i = 0; i < commands.size(); i++) {
            String[] args = commands.get(i);
            long t0 = System.nanoTime();
            Cli.Result r = assertTimeoutPreemptively(PROMPTLY, () -> Cli.run(args), () -> String.join(" ", args)
                    + " blocked on a named pipe");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(2, r.exitCode(), r.toString());
            assertEquals(expected.get(i), r.err(), String.join(" ", args));
            assertTrue(seconds < 30, String.join(" ", args) + " took " + seconds + " s");
        }
    }

    @Test
    void aFullDiskNamesTheFileAndLeavesNothingHalfWritten() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small-disk"));
        RootOnly.mountTmpfs(small, 32);
        try {
            // 64 samples make a PNG of about 60 kB, the decoder is about 1.3 MB: neither fits in 32 kB.
            Path png = small.resolve("samples.png");
            Cli.Result sample = Cli.run("sample", "--model", run.resolve("decoder.onnx").toString(), "--n", "64", "--out",
                    png.toString());
            assertEquals(1, sample.exitCode(), sample.toString());
            assertEquals("toolkit: cannot write " + png + ": no space left on device; free some space or write somewhere"
                    + " else", sample.err().lines().findFirst().orElse(""), sample.err());
            assertOneLine(sample);
            assertEquals(List.of(), names(small), "neither the PNG nor a temporary file");

            Path site = small.resolve("site");
            Cli.Result export = Cli.run("export", "--run", run.toString(), "--out", site.toString());
            assertEquals(1, export.exitCode(), export.toString());
            assertEquals("toolkit: cannot write " + site.resolve("decoder.onnx") + ": no space left on device; free some"
                    + " space or write somewhere else", export.err().lines().findFirst().orElse(""), export.err());
            assertOneLine(export);
            assertFalse(Files.exists(site.resolve("decoder.onnx")), "no half-written model");
            assertEquals(List.of(), names(site), "no temporary file left");
        } finally {
            RootOnly.unmount(small);
        }
    }

    private static void assertOneLine(Cli.Result r) {
        ExportServeIT.assertOneLine(r);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
