package org.onnxtoolkit.plugins.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.onnxtoolkit.api.spi.DatasetException;

/**
 * CelebA's evaluation partition: which images are for training (0), validation (1) and testing (2).
 *
 * <p>Two spellings are read: the original {@value #TXT_NAME}, one {@code 000001.jpg 0} per line (name and
 * partition separated by spaces or tabs), and Kaggle's {@value #CSV_NAME}, the same as {@code 000001.jpg,0}
 * under an optional {@code image_id,partition} header. Blank lines and Windows line ends are accepted;
 * anything else that is not such a line, a partition other than 0, 1 or 2, or a name listed twice is an
 * error naming the file and line.
 */
final class EvalPartition {
    static final String TXT_NAME = "list_eval_partition.txt";
    static final String CSV_NAME = "list_eval_partition.csv";
    static final int TRAIN = 0;
    static final int VALIDATION = 1;
    static final int TEST = 2;

    private static final Pattern TXT_LINE = Pattern.compile("(\\S+)[ \\t]+([0-9]+)");
    private static final Pattern CSV_LINE = Pattern.compile("([^,]+?)[ \\t]*,[ \\t]*([0-9]+)");
    private static final String CSV_HEADER = "image_id,partition";

    private final Path file;
    private final Map<String, Integer> partitions;
    private final Map<String, Integer> lines;
    private final String sha256;

    private EvalPartition(Path file, Map<String, Integer> partitions, Map<String, Integer> lines, String sha256) {
        this.file = file;
        this.partitions = partitions;
        this.lines = lines;
        this.sha256 = sha256;
    }

    /**
     * {@value #TXT_NAME} in {@code folder}, else {@value #CSV_NAME}, else null. Anything by that name counts (a
     * pipe or folder is then refused by {@link #read}, rather than silently ignored).
     */
    static Path find(Path folder) {
        if (folder == null) {
            return null;
        }
        for (String name : List.of(TXT_NAME, CSV_NAME)) {
            Path candidate = folder.resolve(name);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Reads and checks {@code file}: {@value #CSV_NAME}-style when its name ends in {@code .csv}. */
    static EvalPartition read(String datasetId, Path file) throws DatasetException {
        FileKinds.requireRegularFile("dataset " + datasetId + ": partition file", file,
                "it is not opened (reading a pipe would wait forever); replace it with the file itself or remove it");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw DatasetException.badData("dataset " + datasetId + ": cannot read partition file " + file + " ("
                    + e.getMessage() + ")", e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw DatasetException.badData("dataset " + datasetId + ": partition file " + file
                    + " is not text (UTF-8); expected lines like '000001.jpg 0'", e);
        }
        boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
        Pattern pattern = csv ? CSV_LINE : TXT_LINE;
        String expected = csv ? "'<image file>,<0, 1 or 2>'" : "'<image file> <0, 1 or 2>'";
        Map<String, Integer> partitions = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        String[] rows = text.split("\n", -1);
        boolean headerAllowed = csv;
        for (int i = 0; i < rows.length; i++) {
            int lineNumber = i + 1;
            String row = rows[i].endsWith("\r") ? rows[i].substring(0, rows[i].length() - 1) : rows[i];
            if (lineNumber == 1 && row.startsWith("\ufeff")) {
                row = row.substring(1); // a byte-order mark, as some editors write
            }
            String line = row.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (headerAllowed) {
                headerAllowed = false;
                if (line.replace(" ", "").equalsIgnoreCase(CSV_HEADER)) {
                    continue;
                }
            }
            Matcher matcher = pattern.matcher(line);
            int partition = matcher.matches() && matcher.group(2).length() == 1 ? matcher.group(2).charAt(0) - '0' : -1;
            if (partition < TRAIN || partition > TEST) {
                throw DatasetException.badData("dataset " + datasetId + ": partition file " + file + " line "
                        + lineNumber + ": expected " + expected + ", got '" + abbreviate(line) + "'");
            }
            String name = matcher.group(1);
            Integer earlier = lines.putIfAbsent(name, lineNumber);
            if (earlier != null) {
                throw DatasetException.badData("dataset " + datasetId + ": partition file " + file + " line "
                        + lineNumber + " lists " + name + " again (first on line " + earlier + ")");
            }
            partitions.put(name, partition);
        }
        if (partitions.isEmpty()) {
            throw DatasetException.badData("dataset " + datasetId + ": partition file " + file
                    + " lists no images; expected lines like " + (csv ? "'000001.jpg,0'" : "'000001.jpg 0'")
                    + ", or remove it to split by file name");
        }
        return new EvalPartition(file, Map.copyOf(partitions), Map.copyOf(lines), sha256(bytes));
    }

    /** The file read. */
    Path file() {
        return file;
    }

    /** Number of images listed. */
    int size() {
        return partitions.size();
    }

    /** The partition of {@code name} ({@link #TRAIN}, {@link #VALIDATION} or {@link #TEST}). */
    int partitionOf(String name) {
        Integer partition = partitions.get(name);
        if (partition == null) {
            throw new IllegalArgumentException(name + " is not listed in " + file);
        }
        return partition;
    }

    /** SHA-256 of the file's bytes, in hex. */
    String sha256() {
        return sha256;
    }

    /**
     * Checks that the partition lists exactly the images of the folder.
     *
     * @param names the folder's image names
     */
    void requireSameImages(String datasetId, Path folder, List<String> names) throws DatasetException {
        Set<String> present = Set.copyOf(names);
        String firstMissing = null;
        int firstMissingLine = Integer.MAX_VALUE;
        int missing = 0;
        for (Map.Entry<String, Integer> entry : lines.entrySet()) {
            if (!present.contains(entry.getKey())) {
                missing++;
                if (entry.getValue() < firstMissingLine) {
                    firstMissingLine = entry.getValue();
                    firstMissing = entry.getKey();
                }
            }
        }
        if (firstMissing != null) {
            throw DatasetException.badData("dataset " + datasetId + ": partition file " + file + " line "
                    + firstMissingLine + " names " + firstMissing + ", which is not in " + folder + (missing > 1 ? " (nor are "
                    + (missing - 1) + " more listed images)" : "") + "; to use only some of the images, remove "
                    + "the partition file and the split is made by file name");
        }
        List<String> unlisted = new ArrayList<>();
        for (String name : names) {
            if (!partitions.containsKey(name)) {
                unlisted.add(name);
            }
        }
        if (!unlisted.isEmpty()) {
            throw DatasetException.badData("dataset " + datasetId + ": " + folder + " holds " + unlisted.size()
                    + " image" + (unlisted.size() == 1 ? "" : "s") + " that partition file " + file + " does not list, such as "
                    + unlisted.get(0) + "; remove them, or remove the partition file and the split is made by file"
                    + " name");
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }
}
