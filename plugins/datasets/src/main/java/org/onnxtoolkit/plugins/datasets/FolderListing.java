package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * The image files of one folder, sorted by name.
 *
 * <p>An image file is a regular file (or a link to one) directly in the folder whose name ends in
 * {@code .jpg}, {@code .jpeg} or {@code .png} in any case and does not start with a dot (which skips hidden
 * files such as macOS's {@code ._000001.jpg}). Subfolders are not searched. Names are sorted by
 * {@link String#compareTo} (UTF-16 code units), explicitly: directory order differs between platforms and
 * file systems.
 *
 * @param folder     the folder as given, for messages
 * @param realFolder its absolute path with links resolved, for cache keys
 * @param images     the image files, sorted by name; at least one
 */
record FolderListing(Path folder, Path realFolder, List<ImageFile> images) {
    /** File name endings taken as images (compared in lower case). */
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");
    private static final int EXAMPLES = 3;

    /**
     * One image file.
     *
     * @param name          its file name
     * @param size          its length in bytes
     * @param modifiedNanos its modification time in nanoseconds since the epoch
     */
    record ImageFile(String name, long size, long modifiedNanos) {
    }

    FolderListing {
        images = List.copyOf(images);
    }

    /** The image files' names, in order. */
    List<String> names() {
        return images.stream().map(ImageFile::name).toList();
    }

    /** Number of image files. */
    int size() {
        return images.size();
    }

    /** True when {@code name} is an image file name by the rules above. */
    static boolean isImageName(String name) {
        if (name.startsWith(".")) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    /** True when {@code folder} is a folder holding at least one image file (by name). */
    static boolean containsImages(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (isImageName(entry.getFileName().toString()) && Files.isRegularFile(entry)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Lists {@code folder}.
     *
     * @param hint appended to every message: what the dataset expects the user to pass
     * @throws DatasetException if the folder is missing, not a folder, unreadable, empty, or has no images
     */
    static FolderListing read(String datasetId, Path folder, String hint) throws DatasetException {
        if (!Files.exists(folder)) {
            throw new DatasetException("dataset " + datasetId + ": image folder " + folder + " does not exist; " + hint);
        }
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("dataset " + datasetId + ": " + folder + " is not a folder; " + hint);
        }
        List<ImageFile> images = new ArrayList<>();
        TreeSet<String> others = new TreeSet<>();
        int otherCount = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                BasicFileAttributes attributes = isImageName(name)
                        ? Files.readAttributes(entry, BasicFileAttributes.class) : null;
                if (attributes != null && attributes.isRegularFile()) {
                    images.add(new ImageFile(name, attributes.size(),
                            attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
                } else {
                    otherCount++;
                    others.add(Files.isDirectory(entry) ? name + "/" : name);
                    if (others.size() > EXAMPLES) {
                        others.pollLast();
                    }
                }
            }
            Path realFolder = folder.toRealPath();
            if (images.isEmpty()) {
                String contents = otherCount == 0 ? "is empty"
                        : "has no " + String.join(", ", EXTENSIONS) + " images (it holds " + otherCount + " other "
                                + (otherCount == 1 ? "entry: " : "entries, such as ") + String.join(", ", others)
                                + ")";
                throw new DatasetException("dataset " + datasetId + ": image folder " + folder + " " + contents + "; "
                        + hint);
            }
            images.sort(Comparator.comparing(ImageFile::name));
            return new FolderListing(folder, realFolder, images);
        } catch (IOException e) {
            throw new DatasetException("dataset " + datasetId + ": cannot list image folder " + folder + " ("
                    + e.getMessage() + "); " + hint, e);
        }
    }
}
