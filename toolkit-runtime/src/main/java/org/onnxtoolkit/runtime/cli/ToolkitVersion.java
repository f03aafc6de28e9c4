package org.onnxtoolkit.runtime.cli;

import picocli.CommandLine;

/** The toolkit's version, from the runtime jar's manifest ({@code dev} when run from classes). */
public final class ToolkitVersion {
    private ToolkitVersion() {
    }

    public static String get() {
        String v = ToolkitVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** For {@code toolkit --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"toolkit " + get() + " (ONNX Runtime 1.24.1 training API via JavaCPP)"};
        }
    }
}
