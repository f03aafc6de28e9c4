package org.onnxtoolkit.runtime.cli;

import org.onnxtoolkit.engine.ort.CudaEnvironment;
import org.onnxtoolkit.engine.ort.Device;
import org.onnxtoolkit.engine.ort.DeviceUnavailableException;

/**
 * Reads {@code --device} and checks, before any work starts, that this machine can use it.
 *
 * <p>Exit codes: a device text that is not {@code cpu}, {@code cuda} or {@code cuda:N}, and a GPU index this
 * machine does not have, are usage errors (exit 2: the command line must change). Missing GPU natives,
 * driver or CUDA libraries are runtime failures (exit 1: the machine or the build must change); their
 * {@link DeviceUnavailableException} passes through with its one-line message.
 */
final class Devices {
    private Devices() {
    }

    static Device parseAndCheck(String text) {
        return check(parse(text), CudaEnvironment.system());
    }

    static Device parse(String text) {
        try {
            return Device.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    static Device check(Device device, CudaEnvironment environment) {
        try {
            environment.require(device);
        } catch (DeviceUnavailableException e) {
            if (e.reason() == DeviceUnavailableException.Reason.DEVICE_INDEX) {
                throw new UsageException(e.getMessage(), e);
            }
            throw e;
        }
        return device;
    }
}
