package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * The image files of a folder, sorted by name, in one of two layouts:
 * <ul>
 * <li><b>flat</b>: the images directly in the folder, unlabelled. Used whenever the folder holds any image
 *     itself (then its subfolders are not read, and a note says so);</li>
 * <li><b>class folders</b> (torchvision's {@code ImageFolder}): when the folder holds no image itself but has
 *     subfolders, each subfolder is a class, labels are the indices of the sorted subfolder names, and the
 *     images are found in each class folder and its subfolders at any depth. Names are then paths relative to
 *     the folder, with {@code /} ({@code cats/2019/001.jpg}). Datasets may disallow this layout (CelebA is
 *     flat).</li>
 * </ul>
 *
 * <p>An image file is a regular file (or a link to one) whose name ends in {@code .jpg}, {@code .jpeg} or
 * {@code .png} in any case. Names starting with a dot (hidden files and folders, macOS's {@code ._000001.jpg})
 * and macOS's {@code __MACOSX} archive folders are skipped everywhere. Names are sorted by
 * {@link String#compareTo} (UTF-16 code units), explicitly: directory order differs between platforms.
 *
 * <p><b>Links and odd entries.</b> Links are followed. An entry that cannot be read is listed with the reason
 * ({@link ImageFile#problem()}), so that the loader reports or skips it like an undecodable image: a link to
 * nothing, a loop of links, a folder link back to a folder that contains it (which would recurse forever), and
 * a named pipe, device or socket with an image name (never opened: reading a pipe blocks). A broken link is
 * listed when it has an image name, and in the class layout whatever its name (it may have been a folder of
 * images). Names that are not valid in the file name encoding are kept readable with {@code \xNN} escapes
 * ({@link FileKinds#name}), while the file is read through its original path.
 *
 * @param folder     the folder as given, for messages
 * @param realFolder its absolute path with links resolved, readable ({@link FileKinds#display}), for cache keys
 * @param images     the image files and unreadable entries, sorted by name; at least one
 * @param classes    the class names in label order (the sorted class folder names), empty for a flat folder
 * @param notes      remarks for the user (subfolders not read)
 */
record FolderListing(Path folder, String realFolder, List<ImageFile> images, List<String> classes,
                     List<String> notes) {
    /** File name endings taken as images (compared in lower case). */
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");
    /** The folder macOS's archiver adds to zip files, full of {@code ._} resource forks. */
    static final String MACOS_ARCHIVE_FOLDER = "__MACOSX";
    private static final int EXAMPLES = 3;

    /**
     * One image file, or an entry that cannot be read.
     *
     * @param name          its path relative to the folder, {@code /}-separated, readable
     * @param path          the path to read it from (keeps the exact bytes of the name)
     * @param size          its length in bytes, or -1 for an unreadable entry
     * @param modifiedNanos its modification time in nanoseconds since the epoch, or 0 for an unreadable entry
     * @param label         its class (an index into {@link #classes()}), or -1 (flat folder, or a broken link
     *                      directly in a class-folder root)
     * @param problem       why it cannot be read, or null
     */
    record ImageFile(String name, Path path, long size, long modifiedNanos, int label, String problem) {
        /** An entry that cannot be read. */
        static ImageFile unreadable(String name, Path path, int label, String problem) {
            return new ImageFile(name, path, -1, 0, label, problem);
        }
    }

    FolderListing {
        images = List.copyOf(images);
        classes = List.copyOf(classes);
        notes = List.copyOf(notes);
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
        if (isHidden(name)) {
            return false;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    private static boolean isHidden(String name) {
        return name.startsWith(".") || name.equals(MACOS_ARCHIVE_FOLDER);
    }

    /** True when {@code folder} is a folder holding at least one image file (by name) directly. */
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

    /** What an entry of a folder is. */
    private enum Kind {
        IMAGE, FOLDER, BROKEN_LINK, SPECIAL_IMAGE, OTHER
    }

    /**
     * One entry of a folder, classified.
     *
     * @param name       its readable name
     * @param path       its path
     * @param kind       what it is
     * @param attributes its attributes (links followed), or null when they cannot be read
     * @param problem    for broken links and special files: why it cannot be read
     */
    private record Entry(String name, Path path, Kind kind, BasicFileAttributes attributes, String problem) {
    }

    /**
     * Lists {@code folder}.
     *
     * @param classFolders whether a folder without images of its own is read as class folders
     * @param hint         appended to every message: what the dataset expects the user to pass
     * @throws DatasetException if the folder is missing, not a folder, unreadable, empty, or has no images
     */
    static FolderListing read(String datasetId, Path folder, boolean classFolders, String hint)
            throws DatasetException {
        if (!Files.exists(folder)) {
            throw new DatasetException("dataset " + datasetId + ": image folder " + folder + " does not exist; " + hint);
        }
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("dataset " + datasetId + ": " + folder + " is not a folder; " + hint);
        }
        Path realFolder;
        List<Entry> entries;
        try {
            realFolder = folder.toRealPath();
            entries = entries(folder);
        } catch (IOException e) {
            throw DatasetException.badData("dataset " + datasetId + ": cannot list image folder " + folder + " ("
                    + e.getMessage() + "); " + hint, e);
        }
        List<ImageFile> images = new ArrayList<>();
        List<Entry> folders = new ArrayList<>();
        TreeSet<String> others = new TreeSet<>();
        int otherCount = 0;
        for (Entry entry : entries) {
            boolean imageName = isImageName(entry.name());
            switch (entry.kind()) {
                case IMAGE -> images.add(image(entry.name(), entry, -1));
                case SPECIAL_IMAGE -> images.add(ImageFile.unreadable(entry.name(), entry.path(), -1, entry.problem()));
                case BROKEN_LINK -> {
                    if (imageName) {
                        images.add(ImageFile.unreadable(entry.name(), entry.path(), -1, entry.problem()));
                    } else {
                        folders.add(entry); // perhaps a class folder: reported if the layout is class folders
                    }
                }
                case FOLDER -> {
                    if (!isHidden(entry.name())) {
                        folders.add(entry);
                    }
                }
                default -> { }
            }
            if (entry.kind() == Kind.OTHER || entry.kind() == Kind.FOLDER && isHidden(entry.name())) {
                otherCount++;
                others.add(entry.kind() == Kind.FOLDER ? entry.name() + "/" : entry.name());
                if (others.size() > EXAMPLES) {
                    others.pollLast();
                }
            }
        }
        String real = FileKinds.display(realFolder);
        List<Entry> subfolders = folders.stream().filter(f -> f.kind() == Kind.FOLDER).toList();
        if (!images.isEmpty()) {
            String first = subfolders.stream().map(Entry::name).sorted().findFirst().orElse("");
            List<String> notes = subfolders.isEmpty() ? List.of() : List.of("read only the images directly in "
                    + folder + "; " + (subfolders.size() == 1 ? "its subfolder " + first + "/ is"
                    : "its " + subfolders.size() + " subfolders (such as " + first + "/) are")
                    + " not read when the folder holds images itself");
            images.sort(Comparator.comparing(ImageFile::name));
            return new FolderListing(folder, real, images, List.of(), notes);
        }
        if (classFolders && !subfolders.isEmpty()) {
            return classFolders(datasetId, folder, realFolder, real, folders, hint);
        }
        String contents = otherCount == 0 && folders.isEmpty() ? "is empty"
                : "has no " + String.join(", ", EXTENSIONS) + " images (it holds " + (otherCount + folders.size())
                + " other " + (otherCount + folders.size() == 1 ? "entry: " : "entries, such as ")
                + String.join(", ", examples(others, folders)) + ")";
        throw new DatasetException("dataset " + datasetId + ": image folder " + folder + " " + contents + "; " + hint);
    }

    private static List<String> examples(TreeSet<String> others, List<Entry> folders) {
        TreeSet<String> all = new TreeSet<>(others);
        folders.forEach(f -> all.add(f.kind() == Kind.FOLDER ? f.name() + "/" : f.name()));
        return all.stream().limit(EXAMPLES).toList();
    }

    /** The class-folder layout: one class per subfolder of {@code folder}, images found at any depth. */
    private static FolderListing classFolders(String datasetId, Path folder, Path realFolder, String real,
                                              List<Entry> top, String hint) throws DatasetException {
        List<ImageFile> images = new ArrayList<>();
        List<Entry> classFolders = new ArrayList<>();
        List<Path> classRealPaths = new ArrayList<>();
        try {
            for (Entry entry : top.stream().sorted(Comparator.comparing(Entry::name)).toList()) {
                if (entry.kind() == Kind.BROKEN_LINK) {
                    images.add(ImageFile.unreadable(entry.name(), entry.path(), -1, entry.problem()));
                    continue;
                }
                Path target = entry.path().toRealPath();
                if (realFolder.startsWith(target)) {
                    images.add(ImageFile.unreadable(entry.name(), entry.path(), -1, loop(target)));
                } else {
                    classFolders.add(entry);
                    classRealPaths.add(target);
                }
            }
        } catch (IOException e) {
            throw DatasetException.badData("dataset " + datasetId + ": cannot list image folder " + folder + " ("
                    + e.getMessage() + "); " + hint, e);
        }
        List<String> classes = classFolders.stream().map(Entry::name).toList();
        List<String> empty = new ArrayList<>();
        for (int label = 0; label < classFolders.size(); label++) {
            Entry classFolder = classFolders.get(label);
            int before = images.size();
            try {
                walk(classFolder.path(), classRealPaths.get(label), classFolder.name() + "/", label, realFolder,
                        new HashSet<>(), images);
            } catch (IOException e) {
                throw DatasetException.badData("dataset " + datasetId + ": cannot list class folder "
                        + FileKinds.display(classFolder.path()) + " (" + e.getMessage() + "); " + hint, e);
            }
            if (images.size() == before) {
                empty.add(classFolder.name());
            }
        }
        if (!empty.isEmpty()) {
            throw new DatasetException("dataset " + datasetId + ": image folder " + folder + " is read as class"
                    + " folders (it holds no images itself), but class folder" + (empty.size() == 1 ? " " : "s ")
                    + String.join(", ", empty.subList(0, Math.min(EXAMPLES, empty.size())))
                    + (empty.size() > EXAMPLES ? ", ..." : "") + " holds no " + String.join(", ", EXTENSIONS)
                    + " images at any depth; remove " + (empty.size() == 1 ? "it" : "them")
                    + " or add images, or pass a folder of images");
        }
        images.sort(Comparator.comparing(ImageFile::name));
        for (int i = 1; i < images.size(); i++) {
            if (images.get(i).name().equals(images.get(i - 1).name())) {
                throw DatasetException.badData("dataset " + datasetId + ": two entries of " + folder + " read as "
                        + images.get(i).name() + "; rename one of them");
            }
        }
        return new FolderListing(folder, real, images, classes, List.of());
    }

    /**
     * Adds the images under {@code dir} (a folder of class {@code label}, whose real path is {@code real}) to
     * {@code images}, at any depth. A folder link to {@code dir} itself, to a folder above it on the way down
     * ({@code ancestors}), or to the dataset folder or a folder holding it would never end: it is listed as
     * unreadable instead.
     */
    private static void walk(Path dir, Path real, String prefix, int label, Path realRoot, Set<Path> ancestors,
                             List<ImageFile> images) throws IOException {
        ancestors.add(real);
        for (Entry entry : entries(dir)) {
            String name = prefix + entry.name();
            switch (entry.kind()) {
                case IMAGE -> images.add(image(name, entry, label));
                case SPECIAL_IMAGE, BROKEN_LINK -> images.add(ImageFile.unreadable(name, entry.path(), label,
                        entry.problem()));
                case FOLDER -> {
                    if (isHidden(entry.name())) {
                        continue;
                    }
                    Path target = entry.path().toRealPath();
                    if (ancestors.contains(target) || realRoot.startsWith(target)) {
                        images.add(ImageFile.unreadable(name, entry.path(), label, loop(target)));
                    } else {
                        walk(entry.path(), target, name + "/", label, realRoot, ancestors, images);
                    }
                }
                default -> { }
            }
        }
        ancestors.remove(real);
    }

    private static String loop(Path target) {
        return "a link to folder " + FileKinds.display(target) + ", which contains it: following it would loop"
                + " forever";
    }

    private static ImageFile image(String name, Entry entry, int label) {
        return new ImageFile(name, entry.path(), entry.attributes().size(),
                entry.attributes().lastModifiedTime().to(TimeUnit.NANOSECONDS), label, null);
    }

    /** The entries of {@code dir}, classified; hidden ones are kept (as OTHER or FOLDER) for messages. */
    private static List<Entry> entries(Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path path : stream) {
                String name = FileKinds.name(path);
                if (isHidden(name)) {
                    entries.add(new Entry(name, path, Files.isDirectory(path) ? Kind.FOLDER : Kind.OTHER, null, null));
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(path, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    if (Files.isSymbolicLink(path)) {
                        entries.add(new Entry(name, path, Kind.BROKEN_LINK, null, "a symbolic link to "
                                + linkTarget(path) + ", which does not exist"));
                    } // else it was deleted while being listed
                    continue;
                } catch (FileSystemException e) {
                    if (Files.isSymbolicLink(path)) {
                        // ELOOP: "Too many levels of symbolic links"
                        entries.add(new Entry(name, path, Kind.BROKEN_LINK, null, "a symbolic link that leads"
                                + " back to itself (" + name + " -> " + linkTarget(path) + "), a loop"));
                        continue;
                    }
                    throw e;
                }
                if (attributes.isDirectory()) {
                    entries.add(new Entry(name, path, Kind.FOLDER, attributes, null));
                } else if (!isImageName(name)) {
                    entries.add(new Entry(name, path, Kind.OTHER, attributes, null));
                } else if (attributes.isRegularFile()) {
                    entries.add(new Entry(name, path, Kind.IMAGE, attributes, null));
                } else {
                    entries.add(new Entry(name, path, Kind.SPECIAL_IMAGE, attributes,
                            FileKinds.describe(path, attributes) + ", not an image file; it is not opened"));
                }
            }
        }
        return entries;
    }

    private static String linkTarget(Path link) {
        try {
            return FileKinds.display(Files.readSymbolicLink(link));
        } catch (IOException e) {
            return "an unreadable target";
        }
    }
}
