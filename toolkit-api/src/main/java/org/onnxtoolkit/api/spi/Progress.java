package org.onnxtoolkit.api.spi;

/**
 * Where a plugin reports the progress of long work (decoding a folder of images into a cache) so that the
 * user sees it: the runtime draws a progress bar on a terminal and plain lines otherwise.
 *
 * <p>Implementations are thread-safe: {@link Task#advance} may be called from several worker threads at
 * once.
 */
public interface Progress {
    /** Reports nothing; for tests and for callers without a console. */
    Progress NONE = (label, total) -> new Task() {
        @Override
        public void advance(long units) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Starts reporting one task.
     *
     * @param label what is being done, a few words ({@code "decoding 202599 images of img_align_celeba"})
     * @param total how many units (images) the task has, {@code >= 0}
     * @return the task, to be closed when the work ends (normally or not)
     */
    Task start(String label, long total);

    /** One task in progress. */
    interface Task extends AutoCloseable {
        /** Records that {@code units} more units are done. Thread-safe. */
        void advance(long units);

        /** Ends the task's display; idempotent. */
        @Override
        void close();
    }
}
