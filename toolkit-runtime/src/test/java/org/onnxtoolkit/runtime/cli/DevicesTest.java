package org.onnxtoolkit.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onnxtoolkit.engine.ort.CudaEnvironment;
import org.onnxtoolkit.engine.ort.Device;
import org.onnxtoolkit.engine.ort.DeviceUnavailableException;

/** Exit-code mapping of device problems: a wrong index is a usage error, a missing piece a runtime failure. */
class DevicesTest {
    @TempDir
    Path root;

    private CudaEnvironment machine(boolean natives) {
        return new CudaEnvironment(new CudaEnvironment.Probes(root, Map.of(), c -> Optional.empty(),
                name -> natives));
    }

    @Test
    void badTextIsAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> Devices.parse("tpu"));
        assertEquals("device must be \"cpu\", \"cuda\" or \"cuda:N\" with N >= 0 but was \"tpu\"", e.getMessage());
    }

    @Test
    void missingNativesAreARuntimeFailure() {
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> Devices.check(Device.cuda(0), machine(false)));
        assertEquals(DeviceUnavailableException.Reason.GPU_NATIVES, e.reason());
    }

    @Test
    void aGpuThisMachineLacksIsAUsageError() throws IOException {
        Files.createDirectories(root.resolve("proc/driver/nvidia/gpus/0000:01:00.0"));
        Files.writeString(root.resolve("proc/driver/nvidia/version"), "NVRM version: NVIDIA UNIX x86_64 Kernel Module"
                + "  580.82.07\n");
        Path lib = root.resolve("usr/lib/x86_64-linux-gnu");
        Files.createDirectories(lib);
        for (String name : new String[] {"libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13",
            "libcufft.so.12", "libcudnn.so.9"}) {
            Files.writeString(lib.resolve(name), "elf");
        }
        assertEquals(Device.cuda(0), Devices.check(Device.cuda(0), machine(true)));
        UsageException e = assertThrows(UsageException.class, () -> Devices.check(Device.cuda(3), machine(true)));
        assertEquals("cuda:3 requested but this machine has 1 GPU (cuda:0)", e.getMessage());
        assertEquals(Device.cpu(), Devices.check(Device.cpu(), machine(false)));
    }
}
