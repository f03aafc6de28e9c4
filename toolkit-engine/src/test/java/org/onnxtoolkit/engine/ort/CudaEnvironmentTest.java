package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.engine.ort.CudaEnvironment.CommandRunner;
import org.onnxtoolkit.engine.ort.DeviceUnavailableException.Reason;

/**
 * Each check of {@link CudaEnvironment} on a machine staged in a temporary folder: fake {@code /proc}, library
 * folders laid out like NVIDIA's pip wheels, a synthetic {@code /etc/ld.so.cache}, a fake {@code nvidia-smi}.
 */
class CudaEnvironmentTest {

    private static final String DRIVER_LINE = "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.82.07  "
            + "Release Build  (dvs-builder@U16-I3-B03-4-3)  Wed Aug 27 00:00:00 UTC 2025";
    private static final String SITE = "/opt/venv/lib/python3.12/site-packages/nvidia";

    @TempDir
    Path root;

    private final Map<String, String> env = new HashMap<>();
    private boolean natives = true;
    private CommandRunner commands = command -> Optional.empty();
    private final List<List<String>> commandsRun = new ArrayList<>();

    private CudaEnvironment environment() {
        return new CudaEnvironment(new CudaEnvironment.Probes(root, env, command -> {
            commandsRun.add(command);
            return commands.run(command);
        }, name -> natives && name.equals(CudaEnvironment.GPU_NATIVES_RESOURCE)));
    }

    private DeviceUnavailableException problem(int index) {
        Optional<DeviceUnavailableException> p = environment().problem(new Device.Cuda(index));
        assertTrue(p.isPresent(), "expected a problem");
        assertFalse(p.get().getMessage().contains("\n"), "one line: " + p.get().getMessage());
        return p.get();
    }

    private void file(String absolute, String content) throws IOException {
        Path p = root.resolve(absolute.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private void gpus(int n) throws IOException {
        file("/proc/driver/nvidia/version", DRIVER_LINE + "\nGCC version:  gcc version 12.2.0\n");
        Files.createDirectories(root.resolve("proc/driver/nvidia/gpus"));
        for (int i = 0; i < n; i++) {
            Files.createDirectories(root.resolve("proc/driver/nvidia/gpus/0000:0" + i + ":00.0"));
        }
    }

    /** The driver's library where Debian and the NVIDIA container toolkit put it, recorded in the cache. */
    private void driverLibrary() throws IOException {
        file("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "elf");
        ldCache(Map.of("libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
                "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"));
    }

    /** NVIDIA's CUDA 13 wheels: one lib folder per package, named on LD_LIBRARY_PATH. */
    private void pipLibraries(Set<String> skip) throws IOException {
        Map<String, String> folder = new LinkedHashMap<>();
        folder.put("libcudart.so.13", "cuda_runtime");
        folder.put("libcublas.so.13", "cublas");
        folder.put("libcublasLt.so.13", "cublas");
        folder.put("libcufft.so.12", "cufft");
        folder.put("libcudnn.so.9", "cudnn");
        List<String> dirs = new ArrayList<>();
        for (var e : folder.entrySet()) {
            String dir = SITE + "/" + e.getValue() + "/lib";
            if (!dirs.contains(dir)) {
                dirs.add(dir);
                Files.createDirectories(root.resolve(dir.substring(1)));
            }
            if (!skip.contains(e.getKey())) {
                file(dir + "/" + e.getKey(), "elf");
            }
        }
        env.put("LD_LIBRARY_PATH", String.join(":", dirs));
    }

    @Test
    void cpuNeedsNothing() {
        natives = false;
        environment().require(Device.cpu());
    }

    @Test
    void missingGpuNativesComeFirst() throws IOException {
        natives = false;
        gpus(1);
        driverLibrary();
        pipLibraries(Set.of());
        DeviceUnavailableException e = problem(0);
        assertEquals(Reason.GPU_NATIVES, e.reason());
        assertEquals("cuda:0 requested but the toolkit was built without GPU natives (the CPU build of ONNX Runtime is"
                + " on the class path): rebuild with TOOLKIT_GPU=1 ./toolkit ... (Maven profile gpu, natives classifier"
                + " linux-x86_64-gpu), or use --device cpu", e.getMessage());
        assertEquals(new Device.Cuda(0), e.device());
        DeviceUnavailableException thrown = assertThrows(DeviceUnavailableException.class,
                () -> environment().require(Device.cuda(0)));
        assertEquals(e.getMessage(), thrown.getMessage());
    }

    @Test
    void noDriver() {
        DeviceUnavailableException e = problem(0);
        assertEquals(Reason.DRIVER, e.reason());
        assertEquals("cuda:0 requested but no NVIDIA driver was found (no /proc/driver/nvidia/version, and libcuda.so.1"
                + " is not in LD_LIBRARY_PATH, the ldconfig cache or the system library folders): install the NVIDIA"
                + " driver (580 or newer for CUDA 13), or use --device cpu", e.getMessage());
    }

    @Test
    void kernelDriverWithoutItsLibrary() throws IOException {
        gpus(1);
        DeviceUnavailableException e = problem(0);
        assertEquals(Reason.DRIVER, e.reason());
        assertEquals("cuda:0 requested but the NVIDIA kernel driver 580.82.07 is loaded but its library libcuda.so.1"
                + " was not found in LD_LIBRARY_PATH, the ldconfig cache or the system library folders: install the"
                + " driver's user-space libraries, or add their folder to LD_LIBRARY_PATH", e.getMessage());
    }

    @Test
    void driverLibraryAloneIsEnough() throws IOException {
        // WSL2 has libcuda.so.1 but no /proc/driver/nvidia; the GPU count then comes from nvidia-smi.
        driverLibrary();
        pipLibraries(Set.of());
        commands = command -> Optional.of(List.of("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-5e1b0d5c-0000-0000-0000-1)"));
        assertEquals(Optional.empty(), environment().problem(new Device.Cuda(0)));
        assertEquals(List.of(List.of("nvidia-smi", "-L")), commandsRun);
        assertEquals("cuda:1 requested but this machine has 1 GPU (cuda:0)", problem(1).getMessage());
    }

    @Test
    void missingCudaLibrariesAreNamedWithTheirPipPackages() throws IOException {
        gpus(1);
        driverLibrary();
        pipLibraries(Set.of("libcublasLt.so.13", "libcufft.so.12", "libcudnn.so.9"));
        assertTrue(env.get("LD_LIBRARY_PATH").length() > 200, "long values are cut to keep the line readable");
        DeviceUnavailableException e = problem(0);
        assertEquals(Reason.LIBRARIES, e.reason());
        assertEquals("cuda:0 requested but the CUDA 13 / cuDNN 9 libraries libcublasLt.so.13, libcufft.so.12,"
                + " libcudnn.so.9 were not found in LD_LIBRARY_PATH (" + env.get("LD_LIBRARY_PATH").substring(0, 197)
                + "...), the ldconfig"
                + " cache or the system library folders: point LD_LIBRARY_PATH at the folders that hold them (for"
                + " example a Python environment's site-packages/nvidia/*/lib, from pip nvidia-cublas, nvidia-cufft,"
                + " nvidia-cudnn-cu13), or install CUDA 13 and cuDNN 9", e.getMessage());
    }

    @Test
    void oneMissingLibraryWithoutLdLibraryPath() throws IOException {
        gpus(1);
        driverLibrary();
        pipLibraries(Set.of("libcudnn.so.9"));
        env.remove("LD_LIBRARY_PATH");
        DeviceUnavailableException e = problem(0);
        assertTrue(e.getMessage().startsWith("cuda:0 requested but the CUDA 13 / cuDNN 9 libraries libcudart.so.13,"
                + " libcublas.so.13, libcublasLt.so.13, libcufft.so.12, libcudnn.so.9 were not found in"
                + " LD_LIBRARY_PATH (unset), the ldconfig cache"), e.getMessage());
        pipLibraries(Set.of("libcudnn.so.9"));
        e = problem(0);
        assertTrue(e.getMessage().startsWith("cuda:0 requested but the CUDA 13 / cuDNN 9 library libcudnn.so.9 was not"
                + " found in LD_LIBRARY_PATH ("), e.getMessage());
        assertTrue(e.getMessage().contains("from pip nvidia-cudnn-cu13)"), e.getMessage());
    }

    @Test
    void librariesFoundThroughTheLdCacheAndTheDefaultFolders() throws IOException {
        gpus(1);
        file("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "elf");
        file("/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcudart.so.13", "elf");
        file("/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13", "elf");
        file("/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublasLt.so.13", "elf");
        file("/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcufft.so.12", "elf");
        file("/usr/lib/x86_64-linux-gnu/libcudnn.so.9", "elf"); // not in the cache: found in a default folder
        Map<String, String> cache = new LinkedHashMap<>();
        for (String lib : List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcufft.so.12")) {
            cache.put(lib, "/usr/local/cuda-13.0/targets/x86_64-linux/lib/" + lib);
        }
        ldCache(cache);
        CudaEnvironment cuda = environment();
        assertEquals(Optional.empty(), cuda.problem(new Device.Cuda(0)));
        assertEquals(Optional.of(Path.of("/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcufft.so.12")),
                cuda.libraries().get("libcufft.so.12"));
        assertEquals(Optional.of(Path.of("/usr/lib/x86_64-linux-gnu/libcudnn.so.9")),
                cuda.libraries().get("libcudnn.so.9"));
        assertEquals(Optional.of(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1")), cuda.findLibrary("libcuda.so.1"));
    }

    @Test
    void aStaleCacheEntryDoesNotCount() throws IOException {
        gpus(1);
        driverLibrary();
        pipLibraries(Set.of("libcufft.so.12"));
        ldCache(Map.of("libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
                "libcufft.so.12", "/usr/local/cuda/lib64/libcufft.so.12"));
        DeviceUnavailableException e = problem(0);
        assertEquals(Reason.LIBRARIES, e.reason());
        assertTrue(e.getMessage().contains("library libcufft.so.12 was not found"), e.getMessage());
    }

    @Test
    void everythingInPlace() throws IOException {
        gpus(1);
        driverLibrary();
        pipLibraries(Set.of());
        CudaEnvironment cuda = environment();
        assertEquals(Optional.empty(), cuda.problem(new Device.Cuda(0)));
        cuda.require(Device.cuda(0));
        assertTrue(cuda.hasGpuNatives());
        assertEquals(Optional.of("580.82.07"), cuda.driverVersion());
        assertEquals(OptionalInt.of(1), cuda.visibleGpuCount());
        assertEquals(Optional.of(Path.of(SITE + "/cudnn/lib/libcudnn.so.9")), cuda.libraries().get("libcudnn.so.9"));
        assertEquals(List.of(), commandsRun, "nvidia-smi is not needed when /proc lists the GPUs");
    }

    @Test
    void deviceIndexOutOfRange() throws IOException {
        gpus(1);
        driverLibrary();
        pipLibraries(Set.of());
        DeviceUnavailableException e = problem(3);
        assertEquals(Reason.DEVICE_INDEX, e.reason());
        assertEquals("cuda:3 requested but this machine has 1 GPU (cuda:0)", e.getMessage());
    }

    @Test
    void deviceIndexWithSeveralGpusAndCudaVisibleDevices() throws IOException {
        gpus(2);
        driverLibrary();
        pipLibraries(Set.of());
        assertEquals(Optional.empty(), environment().problem(new Device.Cuda(1)));
        assertEquals("cuda:2 requested but this machine has 2 GPUs (cuda:0 to cuda:1)", problem(2).getMessage());
        env.put("CUDA_VISIBLE_DEVICES", "1");
        assertEquals("cuda:1 requested but CUDA_VISIBLE_DEVICES=1 leaves 1 GPU visible (cuda:0)",
                problem(1).getMessage());
        env.put("CUDA_VISIBLE_DEVICES", "");
        assertEquals("cuda:0 requested but CUDA_VISIBLE_DEVICES= leaves no GPU visible", problem(0).getMessage());
        env.put("CUDA_VISIBLE_DEVICES", "0,7,1"); // CUDA stops at the first entry that names no GPU
        assertEquals(OptionalInt.of(1), environment().visibleGpuCount());
        env.put("CUDA_VISIBLE_DEVICES", "GPU-5e1b0d5c,1");
        assertEquals(OptionalInt.of(2), environment().visibleGpuCount());
    }

    @Test
    void unknownGpuCountSkipsTheIndexCheck() throws IOException {
        driverLibrary();
        pipLibraries(Set.of());
        assertEquals(OptionalInt.empty(), environment().visibleGpuCount());
        assertEquals(Optional.empty(), environment().problem(new Device.Cuda(5)));
    }

    @Test
    void checksCanBeSwitchedOff() {
        natives = false;
        env.put(CudaEnvironment.SKIP_VARIABLE, "off");
        assertEquals(Optional.empty(), environment().problem(new Device.Cuda(0)));
    }

    @Test
    void readsTheProprietaryDriverLine() throws IOException {
        file("/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22"
                + " 01:44:30 UTC 2024\n");
        assertEquals(Optional.of("550.54.14"), environment().driverVersion());
    }

    @Test
    void readsTheSyntheticLdCache() throws IOException {
        ldCache(Map.of("libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1"));
        Map<String, Path> cache = environment().ldCache();
        assertEquals(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"), cache.get("libcuda.so.1"));
        assertEquals(Path.of("/lib/x86_64-linux-gnu/libz.so.1"), cache.get("libz.so.1"));
        assertEquals(2, cache.size(), cache.toString());
    }

    @Test
    void readsThisMachinesLdCache() {
        assumeTrue(Files.isRegularFile(Path.of("/etc/ld.so.cache")), "this machine has no /etc/ld.so.cache");
        Map<String, Path> cache = new CudaEnvironment(new CudaEnvironment.Probes(Path.of("/"), Map.of(),
                command -> Optional.empty(), name -> false)).ldCache();
        assertTrue(cache.containsKey("libc.so.6"), cache.keySet().toString());
        assertTrue(Files.exists(cache.get("libc.so.6")), cache.get("libc.so.6").toString());
    }

    @Test
    void thisBuildOnThisMachine() {
        assumeTrue(getClass().getClassLoader().getResource(CudaEnvironment.GPU_NATIVES_RESOURCE) == null,
                "GPU natives on the class path (profile gpu)");
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> CudaEnvironment.system().require(Device.cuda(0)));
        assertEquals(Reason.GPU_NATIVES, e.reason());
    }

    /**
     * Writes {@code /etc/ld.so.cache} in glibc's current format ({@code glibc-ld.so.cache1.1}): a 48-byte header,
     * 24-byte entries whose key and value are offsets of NUL-terminated strings from the start of the file.
     */
    private void ldCache(Map<String, String> entries) throws IOException {
        int header = 48;
        int entrySize = 24;
        int stringsStart = header + entries.size() * entrySize;
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        ByteBuffer table = ByteBuffer.allocate(entries.size() * entrySize).order(ByteOrder.LITTLE_ENDIAN);
        for (var e : entries.entrySet()) {
            int key = stringsStart + strings.size();
            strings.writeBytes((e.getKey() + "\0").getBytes(StandardCharsets.US_ASCII));
            int value = stringsStart + strings.size();
            strings.writeBytes((e.getValue() + "\0").getBytes(StandardCharsets.US_ASCII));
            table.putInt(0x0303).putInt(key).putInt(value).putInt(0).putLong(0);
        }
        ByteBuffer head = ByteBuffer.allocate(header).order(ByteOrder.LITTLE_ENDIAN);
        head.put("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII));
        head.putInt(entries.size()).putInt(strings.size()).put((byte) 2).put(new byte[3]).putInt(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.array());
        out.writeBytes(table.array());
        out.writeBytes(strings.toByteArray());
        Path p = root.resolve("etc/ld.so.cache");
        Files.createDirectories(p.getParent());
        Files.write(p, out.toByteArray());
    }
}
