package org.onnxtoolkit.engine.ort;

import java.util.Objects;

/**
 * How to create an ONNX Runtime session: the device and the thread pool sizes.
 *
 * @param device where the session runs; never null
 * @param intraOpThreads threads used inside one operator; 0 lets ORT choose (one per physical core)
 * @param interOpThreads threads used to run independent operators in parallel; 0 lets ORT choose. Only
 *     matters with ORT's parallel execution mode, which we do not enable
 */
public record SessionConfig(Device device, int intraOpThreads, int interOpThreads) {

    /** Validates the fields. */
    public SessionConfig {
        Objects.requireNonNull(device, "device");
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = ORT default) but was "
                    + intraOpThreads);
        }
        if (interOpThreads < 0) {
            throw new IllegalArgumentException("interOpThreads must be >= 0 (0 = ORT default) but was "
                    + interOpThreads);
        }
    }

    /** @return CPU with ORT's default thread counts */
    public static SessionConfig cpu() {
        return new SessionConfig(Device.cpu(), 0, 0);
    }

    /**
     * @param device the device
     * @return this configuration on another device
     */
    public SessionConfig withDevice(Device device) {
        return new SessionConfig(device, intraOpThreads, interOpThreads);
    }

    /**
     * @param intraOpThreads threads inside one operator, 0 = ORT default
     * @return this configuration with another intra-op thread count
     */
    public SessionConfig withIntraOpThreads(int intraOpThreads) {
        return new SessionConfig(device, intraOpThreads, interOpThreads);
    }
}
