package org.onnxtoolkit.api.spi;

/**
 * A source of images with a train and a test split ({@code mnist}, {@code fashion-mnist}, {@code shapes},
 * {@code image-folder}). Implementations are stateless beans; {@link #open} may be called several times.
 */
public interface Dataset extends Plugin {
    /** The native image shape, or null when the dataset can produce any requested shape. */
    ImageShape nativeShape();

    /**
     * Opens (reads, decodes or generates) both splits.
     *
     * @throws DatasetException with a one-line message naming the file or option at fault and what to do
     */
    DatasetSplits open(DatasetOptions options) throws DatasetException;
}
