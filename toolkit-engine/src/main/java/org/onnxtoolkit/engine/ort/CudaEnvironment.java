package org.onnxtoolkit.engine.ort;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks, before a CUDA session is created, that this machine and this build can run one, and explains the
 * first thing missing in one line. ONNX Runtime's own failures here are long (a C++ location, a
 * {@code dlopen} error about one library at a time) or come late (after a run folder was written), so the
 * toolkit asks first.
 *
 * <p>The checks, in order; the first that fails decides the message:
 * <ol>
 *   <li><b>GPU natives.</b> The class path must hold the CUDA execution provider of the
 *       {@code org.bytedeco:onnxruntime} classifier {@code linux-x86_64-gpu} ({@value #GPU_NATIVES_RESOURCE}),
 *       which the Maven profile {@code gpu} selects.</li>
 *   <li><b>Driver.</b> {@code /proc/driver/nvidia/version} (the kernel driver) or {@code libcuda.so.1} (its
 *       user-space library) must exist; where the kernel driver is loaded, {@code libcuda.so.1} must be found
 *       too.</li>
 *   <li><b>CUDA 13 and cuDNN 9.</b> Every soname of {@link #CUDA_LIBRARIES}, which the CUDA execution
 *       provider links against, must be found where the dynamic loader looks: the folders of
 *       {@code LD_LIBRARY_PATH}, the ldconfig cache ({@code /etc/ld.so.cache}) and the default folders.</li>
 *   <li><b>Device index.</b> {@code cuda:N} needs more than N visible GPUs, counted from
 *       {@code /proc/driver/nvidia/gpus/*} (or {@code nvidia-smi -L} where that folder is missing) and
 *       narrowed by {@code CUDA_VISIBLE_DEVICES}. Skipped when the count cannot be known.</li>
 * </ol>
 *
 * <p>Every probe goes through {@link Probes} (file system root, environment, command runner, class path
 * lookup), so tests can stage any machine in a temporary folder. Setting the environment variable
 * {@value #SKIP_VARIABLE}{@code =off} skips the checks (for a machine whose loader finds the libraries some
 * other way); ONNX Runtime's own error then surfaces as {@link DeviceUnavailableException.Reason#PROVIDER}.
 *
 * <p>Immutable and thread-safe; every call reads the machine afresh.
 */
public final class CudaEnvironment {

    /** The CUDA execution provider library inside the {@code linux-x86_64-gpu} natives jar. */
    public static final String GPU_NATIVES_RESOURCE =
            "org/bytedeco/onnxruntime/linux-x86_64-gpu/libonnxruntime_providers_cuda.so";

    /**
     * The sonames that {@code libonnxruntime_providers_cuda.so} of ONNX Runtime 1.24.1 (bytedeco 1.5.13) lists
     * as {@code NEEDED} besides the C/C++ runtime: CUDA 13 runtime, cuBLAS, cuBLASLt and cuFFT, and cuDNN 9.
     */
    public static final List<String> CUDA_LIBRARIES =
            List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcufft.so.12", "libcudnn.so.9");

    /** The driver's user-space library that the CUDA runtime opens. */
    public static final String DRIVER_LIBRARY = "libcuda.so.1";

    /** Environment variable that turns the checks off when set to {@code off}. */
    public static final String SKIP_VARIABLE = "TOOLKIT_CUDA_CHECK";

    /** The pip packages (NVIDIA's CUDA 13 wheels) that ship each library, for the advice. */
    private static final Map<String, String> PIP_PACKAGES = Map.of(
            "libcudart.so.13", "nvidia-cuda-runtime",
            "libcublas.so.13", "nvidia-cublas",
            "libcublasLt.so.13", "nvidia-cublas",
            "libcufft.so.12", "nvidia-cufft",
            "libcudnn.so.9", "nvidia-cudnn-cu13");

    /** Where the dynamic loader looks after LD_LIBRARY_PATH and the cache (x86-64 glibc). */
    private static final List<String> DEFAULT_LIBRARY_DIRS =
            List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu");

    private static final Pattern DRIVER_VERSION = Pattern.compile("\\b(\\d{2,4}\\.\\d{1,3}(?:\\.\\d{1,3})?)\\b");

    /** Runs a command and returns its standard output lines, or empty when it cannot run or fails. */
    @FunctionalInterface
    public interface CommandRunner {
        /**
         * @param command the program and its arguments
         * @return its output lines when it ran and exited 0; empty otherwise
         */
        Optional<List<String>> run(List<String> command);
    }

    /**
     * What the checks read.
     *
     * @param root the file system root that absolute paths ({@code /proc/...}, {@code /etc/ld.so.cache},
     *     {@code LD_LIBRARY_PATH} entries) are resolved against: {@code /} on a real machine
     * @param environment the process environment ({@code LD_LIBRARY_PATH}, {@code CUDA_VISIBLE_DEVICES},
     *     {@value CudaEnvironment#SKIP_VARIABLE})
     * @param commands runs {@code nvidia-smi -L}
     * @param classPathResource whether a class path resource exists
     */
    public record Probes(Path root, Map<String, String> environment, CommandRunner commands,
            Predicate<String> classPathResource) {
        /** Validates and copies. */
        public Probes {
            Objects.requireNonNull(root, "root");
            environment = Map.copyOf(environment);
            Objects.requireNonNull(commands, "commands");
            Objects.requireNonNull(classPathResource, "classPathResource");
        }

        /** @return the probes of this process: {@code /}, {@code System.getenv()}, real processes, this class loader */
        public static Probes system() {
            ClassLoader loader = CudaEnvironment.class.getClassLoader();
            return new Probes(Path.of("/"), System.getenv(), CudaEnvironment::runCommand,
                    name -> loader.getResource(name) != null);
        }
    }

    private final Probes probes;

    /** @param probes what the checks read */
    public CudaEnvironment(Probes probes) {
        this.probes = Objects.requireNonNull(probes, "probes");
    }

    /** @return the checks on this machine and class path */
    public static CudaEnvironment system() {
        return new CudaEnvironment(Probes.system());
    }

    /**
     * Throws when {@code device} is a GPU this machine cannot use; does nothing for the CPU.
     *
     * @param device the requested device
     * @throws DeviceUnavailableException with a one-line message naming what is missing and how to fix it
     */
    public void require(Device device) {
        if (device instanceof Device.Cuda cuda) {
            Optional<DeviceUnavailableException> problem = problem(cuda);
            if (problem.isPresent()) {
                throw problem.get();
            }
        }
    }

    /**
     * Runs the checks for one GPU.
     *
     * @param cuda the requested GPU
     * @return the first failed check as an exception (not thrown), or empty when all pass or the checks are
     *     switched off
     */
    public Optional<DeviceUnavailableException> problem(Device.Cuda cuda) {
        if ("off".equalsIgnoreCase(probes.environment().getOrDefault(SKIP_VARIABLE, "").strip())) {
            return Optional.empty();
        }
        if (!hasGpuNatives()) {
            return fail(cuda, DeviceUnavailableException.Reason.GPU_NATIVES, "the toolkit was built without GPU natives"
                    + " (the CPU build of ONNX Runtime is on the class path): rebuild with TOOLKIT_GPU=1 ./toolkit ..."
                    + " (Maven profile gpu, natives classifier linux-x86_64-gpu), or use --device cpu");
        }
        Optional<String> driver = driverVersion();
        boolean kernelDriver = Files.isRegularFile(resolve("/proc/driver/nvidia/version"));
        Optional<Path> libcuda = findLibrary(DRIVER_LIBRARY);
        if (!kernelDriver && libcuda.isEmpty()) {
            return fail(cuda, DeviceUnavailableException.Reason.DRIVER, "no NVIDIA driver was found"
                    + " (no /proc/driver/nvidia/version, and " + DRIVER_LIBRARY + " is not in LD_LIBRARY_PATH,"
                    + " the ldconfig cache or the system library folders): install the NVIDIA driver (580 or newer"
                    + " for CUDA 13), or use --device cpu");
        }
        if (libcuda.isEmpty()) {
            return fail(cuda, DeviceUnavailableException.Reason.DRIVER, "the NVIDIA kernel driver"
                    + driver.map(v -> " " + v).orElse("") + " is loaded but its library " + DRIVER_LIBRARY
                    + " was not found in LD_LIBRARY_PATH, the ldconfig cache or the system library folders:"
                    + " install the driver's user-space libraries, or add their folder to LD_LIBRARY_PATH");
        }
        List<String> missing = new ArrayList<>();
        libraries().forEach((name, where) -> {
            if (where.isEmpty()) {
                missing.add(name);
            }
        });
        if (!missing.isEmpty()) {
            List<String> packages = missing.stream().map(PIP_PACKAGES::get).distinct().toList();
            return fail(cuda, DeviceUnavailableException.Reason.LIBRARIES, "the CUDA 13 / cuDNN 9 "
                    + (missing.size() == 1 ? "library " : "libraries ") + String.join(", ", missing)
                    + (missing.size() == 1 ? " was" : " were") + " not found in LD_LIBRARY_PATH"
                    + ldLibraryPathShown() + ", the ldconfig cache or the system library folders: point"
                    + " LD_LIBRARY_PATH at the folders that hold them (for example a Python environment's"
                    + " site-packages/nvidia/*/lib, from pip " + String.join(", ", packages)
                    + "), or install CUDA 13 and cuDNN 9");
        }
        OptionalInt count = visibleGpuCount();
        if (count.isPresent() && cuda.index() >= count.getAsInt()) {
            int n = count.getAsInt();
            String visible = probes.environment().get("CUDA_VISIBLE_DEVICES");
            String where = visible != null
                    ? "CUDA_VISIBLE_DEVICES=" + visible + " leaves " + gpus(n) + " visible"
                    : "this machine has " + gpus(n);
            return fail(cuda, DeviceUnavailableException.Reason.DEVICE_INDEX,
                    where + (n == 0 ? "" : " (" + range(n) + ")"));
        }
        return Optional.empty();
    }

    /** Every message reads "cuda:N requested but WHAT IS MISSING: HOW TO FIX IT". */
    private static Optional<DeviceUnavailableException> fail(Device.Cuda cuda,
            DeviceUnavailableException.Reason reason, String what) {
        return Optional.of(new DeviceUnavailableException(cuda, reason, cuda + " requested but " + what, null));
    }

    private String ldLibraryPathShown() {
        String path = probes.environment().get("LD_LIBRARY_PATH");
        if (path == null || path.isBlank()) {
            return " (unset)";
        }
        return path.length() <= 200 ? " (" + path + ")" : " (" + path.substring(0, 197) + "...)";
    }

    private static String gpus(int n) {
        return n == 0 ? "no GPU" : n == 1 ? "1 GPU" : n + " GPUs";
    }

    private static String range(int n) {
        return n == 1 ? "cuda:0" : "cuda:0 to cuda:" + (n - 1);
    }

    // ------------------------------------------------------------------------------------------------------
    // Probes, public so that --verbose output and the GPU check scripts can report what was found

    /** @return whether the class path holds the CUDA execution provider of the GPU natives */
    public boolean hasGpuNatives() {
        return probes.classPathResource().test(GPU_NATIVES_RESOURCE);
    }

    /** @return the loaded NVIDIA kernel driver's version, e.g. {@code "580.82.07"}, if it can be read */
    public Optional<String> driverVersion() {
        Path file = resolve("/proc/driver/nvidia/version");
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            String first = lines.get(0);
            int module = first.indexOf("Kernel Module");
            Matcher m = DRIVER_VERSION.matcher(module >= 0 ? first.substring(module) : first);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return for each of {@link #CUDA_LIBRARIES}, where the dynamic loader would find it (empty if nowhere) */
    public Map<String, Optional<Path>> libraries() {
        Map<String, Optional<Path>> found = new LinkedHashMap<>();
        Map<String, Path> cache = ldCache();
        for (String name : CUDA_LIBRARIES) {
            found.put(name, findLibrary(name, cache));
        }
        return found;
    }

    /**
     * Finds a library the way the dynamic loader would, without loading it: the folders of
     * {@code LD_LIBRARY_PATH}, then the ldconfig cache, then the default folders.
     *
     * @param soname e.g. {@code libcublas.so.13}
     * @return its path as the machine sees it (not resolved against the probe root), or empty
     */
    public Optional<Path> findLibrary(String soname) {
        return findLibrary(soname, ldCache());
    }

    private Optional<Path> findLibrary(String soname, Map<String, Path> cache) {
        List<String> dirs = new ArrayList<>();
        String ldPath = probes.environment().get("LD_LIBRARY_PATH");
        if (ldPath != null) {
            for (String d : ldPath.split("[:;]")) {
                if (!d.isBlank() && d.startsWith("/")) {
                    dirs.add(d.strip());
                }
            }
        }
        for (String d : dirs) {
            Path p = Path.of(d, soname);
            if (Files.exists(resolve(p.toString()))) {
                return Optional.of(p);
            }
        }
        Path cached = cache.get(soname);
        if (cached != null && Files.exists(resolve(cached.toString()))) {
            return Optional.of(cached);
        }
        for (String d : DEFAULT_LIBRARY_DIRS) {
            Path p = Path.of(d, soname);
            if (Files.exists(resolve(p.toString()))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads the library paths recorded in {@code /etc/ld.so.cache}. Both cache formats ({@code ld.so-1.7.0} and
     * {@code glibc-ld.so.cache1.1}) end in a table of NUL-terminated strings that holds every soname and every
     * full path, so the absolute paths in it are taken by file name without decoding the entry records: this
     * stays right across glibc versions and needs no {@code ldconfig} binary.
     *
     * @return file name (e.g. {@code libcuda.so.1}) to path; empty when there is no cache
     */
    Map<String, Path> ldCache() {
        Path file = resolve("/etc/ld.so.cache");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(64 << 20);
        } catch (IOException e) {
            return Map.of();
        }
        Map<String, Path> paths = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i - start > 1 && bytes[start] == '/') {
                    String s = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                    if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                        int slash = s.lastIndexOf('/');
                        paths.putIfAbsent(s.substring(slash + 1), Path.of(s));
                    }
                }
                start = i + 1;
            }
        }
        return paths;
    }

    /**
     * Counts the GPUs CUDA would number: the entries of {@code /proc/driver/nvidia/gpus} (or the {@code GPU n:}
     * lines of {@code nvidia-smi -L} where that folder is missing), narrowed by {@code CUDA_VISIBLE_DEVICES}
     * the way CUDA reads it: a comma-separated list, read up to the first entry that names no GPU.
     *
     * @return the count, or empty when it cannot be known
     */
    public OptionalInt visibleGpuCount() {
        OptionalInt physical = physicalGpuCount();
        String visible = probes.environment().get("CUDA_VISIBLE_DEVICES");
        if (visible == null) {
            return physical;
        }
        int n = 0;
        for (String token : visible.split(",", -1)) {
            String t = token.strip();
            if (t.matches("\\d{1,6}")) {
                int index = Integer.parseInt(t);
                if (physical.isPresent() && index >= physical.getAsInt()) {
                    break;
                }
            } else if (!t.toUpperCase(Locale.ROOT).startsWith("GPU-") && !t.toUpperCase(Locale.ROOT).startsWith("MIG-")) {
                break;
            }
            n++;
        }
        return physical.isPresent() ? OptionalInt.of(Math.min(n, physical.getAsInt())) : OptionalInt.of(n);
    }

    private OptionalInt physicalGpuCount() {
        Path gpus = resolve("/proc/driver/nvidia/gpus");
        if (Files.isDirectory(gpus)) {
            try (Stream<Path> s = Files.list(gpus)) {
                return OptionalInt.of((int) s.filter(Files::isDirectory).count());
            } catch (IOException e) {
                return OptionalInt.empty();
            }
        }
        return probes.commands().run(List.of("nvidia-smi", "-L"))
                .map(lines -> OptionalInt.of((int) lines.stream().filter(l -> l.startsWith("GPU ")).count()))
                .orElse(OptionalInt.empty());
    }

    private Path resolve(String absolute) {
        String relative = absolute.startsWith("/") ? absolute.substring(1) : absolute;
        return relative.isEmpty() ? probes.root() : probes.root().resolve(relative);
    }

    /**
     * Runs a short command and returns its output lines if it exited 0 within 10 s. The output goes to a
     * temporary file, so a command that hangs (nvidia-smi on a wedged driver) cannot block the read.
     */
    private static Optional<List<String>> runCommand(List<String> command) {
        Path out = null;
        try {
            out = Files.createTempFile("toolkit-cmd", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(Files.readAllLines(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }
}
