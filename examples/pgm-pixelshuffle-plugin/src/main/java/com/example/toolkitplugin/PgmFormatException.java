package com.example.toolkitplugin;

import java.nio.file.Path;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * A file is not a PGM image this plugin reads. The message is one line: the file, then what is wrong and
 * what was expected. A {@link DatasetException}, so the toolkit shows it as is (exit code 2).
 */
public class PgmFormatException extends DatasetException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public PgmFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
