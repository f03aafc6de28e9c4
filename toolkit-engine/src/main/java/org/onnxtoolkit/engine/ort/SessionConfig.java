package org.onnxtoolkit.engine.ort;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to create an ONNX Runtime session: the device, the thread pool sizes, whether worker threads spin,
 * and whether ORT writes a profile.
 *
 * @param device where the session runs; never null
 * @param intraOpThreads threads used inside one operator; 0 lets ORT choose (one per physical core)
 * @param interOpThreads threads used to run independent operators in parallel; 0 lets ORT choose. Only
 *     matters with ORT's parallel execution mode, which we do not enable
 * @param spinning whether ORT's idle worker threads spin; never null
 * @param profilePrefix where ORT writes its per-operator profile (JSON trace files named
 *     {@code PREFIX_<date>_<time>.json}, one per ORT session, written when the session closes), or null for
 *     none. Profiling slows every operator a little; use it for measurements only
 */
public record SessionConfig(Device device, int intraOpThreads, int interOpThreads, Spinning spinning,
                            Path profilePrefix) {

    /**
     * Whether ORT's intra-op worker threads spin while they wait for work. Spinning saves the wake-up of a
     * sleeping thread at each of the hundred-odd small operators of a training step (measured on the 2-core
     * project machine, idle: MLP VAE step 3.41 ms spinning against 3.86 ms sleeping), but when the cores are
     * busy with other processes the spinning threads take their time (under load: 40-48 ms against 10 ms).
     */
    public enum Spinning {
        /**
         * Spin only when the cores were idle enough for our threads when the process created its first
         * session ({@link CoreLoad}): see {@link #spins}.
         */
        AUTO,
        /** Always spin (ORT's own default). */
        ON,
        /** Never spin. */
        OFF;

        /**
         * Decides for a session about to be created.
         *
         * @param intraOpThreads the session's threads (0 = one per core)
         * @param cores the processors the JVM may use
         * @param busyCores how many cores other processes kept busy, on average, just before (e.g. 0.3), or a
         *     negative value when unknown
         * @return whether the session's threads should spin
         */
        public boolean spins(int intraOpThreads, int cores, double busyCores) {
            return switch (this) {
                case ON -> true;
                case OFF -> false;
                // spinning pays when every thread of ours has a core to itself: the other processes' load and
                // our threads must fit into the cores (a quarter core of slack for short background work)
                case AUTO -> busyCores >= 0
                        && busyCores + (intraOpThreads == 0 ? cores : intraOpThreads) <= cores + 0.25;
            };
        }
    }

    /** Validates the fields. */
    public SessionConfig {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(spinning, "spinning");
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0 (0 = ORT default) but was "
                    + intraOpThreads);
        }
        if (interOpThreads < 0) {
            throw new IllegalArgumentException("interOpThreads must be >= 0 (0 = ORT default) but was "
                    + interOpThreads);
        }
    }

    /** A configuration that spins only on an idle machine ({@link Spinning#AUTO}) and does not profile. */
    public SessionConfig(Device device, int intraOpThreads, int interOpThreads) {
        this(device, intraOpThreads, interOpThreads, Spinning.AUTO, null);
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
        return new SessionConfig(device, intraOpThreads, interOpThreads, spinning, profilePrefix);
    }

    /**
     * @param intraOpThreads threads inside one operator, 0 = ORT default
     * @return this configuration with another intra-op thread count
     */
    public SessionConfig withIntraOpThreads(int intraOpThreads) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, spinning, profilePrefix);
    }

    /**
     * @param spinning the spinning policy
     * @return this configuration with another spinning policy
     */
    public SessionConfig withSpinning(Spinning spinning) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, spinning, profilePrefix);
    }

    /**
     * @param profilePrefix the profile files' path prefix, or null for no profile
     * @return this configuration writing (or not) ORT's per-operator profile
     */
    public SessionConfig withProfile(Path profilePrefix) {
        return new SessionConfig(device, intraOpThreads, interOpThreads, spinning, profilePrefix);
    }
}
