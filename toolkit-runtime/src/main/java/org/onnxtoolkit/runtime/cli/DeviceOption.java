package org.onnxtoolkit.runtime.cli;

import org.onnxtoolkit.engine.ort.Device;
import picocli.CommandLine.Option;

/**
 * {@code --device cpu|cuda[:N]}: where ONNX Runtime runs, shared by {@code train}, {@code sample} and
 * {@code benchmark}. {@link #checked()} parses it and checks that this machine can use it (see {@link Devices}
 * for the exit codes).
 */
final class DeviceOption {
    /** The option's name, for commands that ask whether it was given (for example {@code train --resume}). */
    static final String NAME = "--device";

    @Option(names = NAME, paramLabel = "cpu|cuda[:N]", defaultValue = "cpu",
            description = "where ONNX Runtime runs: cpu, or cuda / cuda:N for an NVIDIA GPU (default: ${DEFAULT-VALUE})")
    String text;

    /** The device, checked against this machine's drivers and GPUs before any work starts. */
    Device checked() {
        return Devices.parseAndCheck(text);
    }
}
