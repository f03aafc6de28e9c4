package org.onnxtoolkit.runtime.cli;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --n N}: how many images a command draws, shared by {@code sample} and {@code reconstruct}. The default
 * differs per command, so each one names it with a {@link Default} subclass as its {@code defaultValueProvider};
 * the help shows it.
 */
final class ImageCountOption {
    static final String NAME = "--n";

    @Option(names = NAME, paramLabel = "N", description = "number of images (default: ${DEFAULT-VALUE})")
    int n;

    /**
     * The count, checked against the command's upper bound.
     *
     * @throws UsageException unless {@code 1 <= n <= max}
     */
    int checked(int max) {
        if (n < 1 || n > max) {
            throw new UsageException(NAME + " must be between 1 and " + max + ", got " + n);
        }
        return n;
    }

    /** Supplies a command's default for {@code --n}; picocli creates subclasses through their no-argument constructor. */
    abstract static class Default implements IDefaultValueProvider {
        private final String count;

        Default(int count) {
            this.count = Integer.toString(count);
        }

        @Override
        public String defaultValue(ArgSpec argSpec) {
            return argSpec instanceof OptionSpec o && NAME.equals(o.longestName()) ? count : null;
        }
    }
}
