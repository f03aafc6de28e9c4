package org.onnxtoolkit.plugins.datasets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Which images of a folder are for training and which for testing, as slots (indices into the folder's
 * name-sorted images); each split's slots are in name order.
 *
 * @param train the training images' slots
 * @param test  the test images' slots
 * @param rule  how the split was made, for fingerprints (for example {@code by-name;test-fraction=0.1})
 */
record SplitAssignment(int[] train, int[] test, String rule) {
    /**
     * The split by file name: every image gets a rank from the SHA-256 of its name (ties broken by name), and
     * the {@code round(n * testFraction)} lowest-ranked of the {@code n} usable images (at least one, and at
     * least one fewer than {@code n}) are test images. The split depends on the names only: not on the
     * platform, the seed or the order files were listed in; adding an image moves at most one other.
     *
     * @param names      the folder's image names, sorted
     * @param usable     per name, whether the image may be used (false for skipped, undecodable ones)
     * @param testFraction in {@code (0, 1)}
     * @throws IllegalArgumentException if fewer than two images are usable
     */
    static SplitAssignment byName(List<String> names, boolean[] usable, double testFraction) {
        int[] usableSlots = IntStream.range(0, names.size()).filter(i -> usable[i]).toArray();
        int n = usableSlots.length;
        if (n < 2) {
            throw new IllegalArgumentException("at least 2 usable images are needed, got " + n);
        }
        long[] ranks = new long[names.size()];
        for (int slot : usableSlots) {
            ranks[slot] = rank(names.get(slot));
        }
        List<Integer> byRank = new ArrayList<>(n);
        for (int slot : usableSlots) {
            byRank.add(slot);
        }
        Comparator<Integer> byHash = (a, b) -> Long.compareUnsigned(ranks[a], ranks[b]);
        byRank.sort(byHash.thenComparing(names::get));
        int testCount = (int) Math.max(1, Math.min(n - 1, Math.round(n * testFraction)));
        boolean[] isTest = new boolean[names.size()];
        for (int k = 0; k < testCount; k++) {
            isTest[byRank.get(k)] = true;
        }
        return new SplitAssignment(IntStream.of(usableSlots).filter(s -> !isTest[s]).toArray(),
                IntStream.of(usableSlots).filter(s -> isTest[s]).toArray(), "by-name;test-fraction=" + testFraction);
    }

    /**
     * The split given by CelebA's partition file: partition 0 trains, 2 tests, and 1 (validation) goes where
     * {@code validation} says. Unusable images are left out.
     */
    static SplitAssignment byPartition(List<String> names, boolean[] usable, EvalPartition partition,
                                       ImageFolderOptions.Validation validation) {
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int slot = 0; slot < names.size(); slot++) {
            if (!usable[slot]) {
                continue;
            }
            int part = partition.partitionOf(names.get(slot));
            if (part == EvalPartition.TRAIN || part == EvalPartition.VALIDATION
                    && validation == ImageFolderOptions.Validation.TRAIN) {
                train.add(slot);
            } else if (part == EvalPartition.TEST || part == EvalPartition.VALIDATION
                    && validation == ImageFolderOptions.Validation.TEST) {
                test.add(slot);
            }
        }
        return new SplitAssignment(train.stream().mapToInt(Integer::intValue).toArray(),
                test.stream().mapToInt(Integer::intValue).toArray(),
                "partition-file;sha256=" + partition.sha256() + ";validation=" + validation.optionValue());
    }

    /** The first 8 bytes of the SHA-256 of the name's UTF-8 bytes, as an unsigned number. */
    private static long rank(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-256", e);
        }
    }
}
