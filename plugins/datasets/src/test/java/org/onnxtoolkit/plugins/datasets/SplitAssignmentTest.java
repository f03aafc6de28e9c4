package org.onnxtoolkit.plugins.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitAssignmentTest {
    private static List<String> names(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> String.format("%06d.jpg", i)).sorted().toList();
    }

    private static boolean[] all(int count) {
        boolean[] usable = new boolean[count];
        Arrays.fill(usable, true);
        return usable;
    }

    private static Set<String> testNames(List<String> names, SplitAssignment split) {
        Set<String> test = new HashSet<>();
        for (int slot : split.test()) {
            test.add(names.get(slot));
        }
        return test;
    }

    @Test
    void byNameHoldsOutTheFractionAndCoversEveryImageOnce() {
        List<String> names = names(1000);
        SplitAssignment split = SplitAssignment.byName(names, all(1000), 0.1);
        assertEquals(100, split.test().length);
        assertEquals(900, split.train().length);
        int[] together = IntStream.concat(IntStream.of(split.train()), IntStream.of(split.test())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 1000).toArray(), together);
        assertTrue(isAscending(split.train()) && isAscending(split.test()), "slots in name order");
        // Not simply the last or first names: spread over the folder.
        assertTrue(split.test()[0] < 100 && split.test()[99] > 900, Arrays.toString(split.test()));
        assertEquals("by-name;test-fraction=0.1", split.rule());
    }

    private static boolean isAscending(int[] values) {
        for (int i = 1; i < values.length; i++) {
            if (values[i] <= values[i - 1]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void byNameIsDeterministicAndDependsOnlyOnTheNames() {
        List<String> names = names(500);
        SplitAssignment first = SplitAssignment.byName(names, all(500), 0.2);
        SplitAssignment second = SplitAssignment.byName(new ArrayList<>(names), all(500), 0.2);
        assertArrayEquals(first.test(), second.test());
        // A fixed expectation (computed with Python's hashlib), so that a change of the rule, which would move
        // images between splits on every user's machine, cannot pass unnoticed.
        assertEquals(List.of(4, 10, 12, 14, 17), Arrays.stream(SplitAssignment.byName(names(20), all(20), 0.25).test())
                .boxed().toList());
    }

    @Test
    void addingAnImageMovesAtMostOneOther() {
        List<String> names = names(300);
        Set<String> before = testNames(names, SplitAssignment.byName(names, all(300), 0.1));
        List<String> more = new ArrayList<>(names);
        more.add("extra.jpg");
        Set<String> after = testNames(more, SplitAssignment.byName(more, all(301), 0.1));
        Set<String> changed = new HashSet<>(before);
        changed.removeAll(after);
        Set<String> added = new HashSet<>(after);
        added.removeAll(before);
        added.remove("extra.jpg");
        assertTrue(changed.size() + added.size() <= 1, "moved " + changed + " and " + added);
    }

    @Test
    void byNameKeepsBothSplitsNonEmptyAndLeavesOutUnusableImages() {
        SplitAssignment two = SplitAssignment.byName(names(2), all(2), 0.01);
        assertEquals(1, two.test().length);
        assertEquals(1, two.train().length);
        SplitAssignment mostly = SplitAssignment.byName(names(3), all(3), 0.99);
        assertEquals(2, mostly.test().length);
        boolean[] usable = all(10);
        usable[3] = false;
        usable[7] = false;
        SplitAssignment split = SplitAssignment.byName(names(10), usable, 0.5);
        assertEquals(8, split.train().length + split.test().length);
        assertTrue(IntStream.concat(IntStream.of(split.train()), IntStream.of(split.test())).noneMatch(s -> s == 3 || s == 7));
        boolean[] one = {false, true, false};
        assertThrows(IllegalArgumentException.class, () -> SplitAssignment.byName(names(3), one, 0.5));
    }

    @Test
    void byPartitionSendsValidationImagesWhereAsked(@TempDir Path dir) throws Exception {
        List<String> names = List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg");
        Path file = Files.writeString(dir.resolve(EvalPartition.TXT_NAME), "a.jpg 0\nb.jpg 1\nc.jpg 2\nd.jpg 0\ne.jpg 2\n");
        EvalPartition partition = EvalPartition.read("celeba", file);
        boolean[] usable = all(5);
        SplitAssignment drop = SplitAssignment.byPartition(names, usable, partition, ImageFolderOptions.Validation.DROP);
        assertArrayEquals(new int[] {0, 3}, drop.train());
        assertArrayEquals(new int[] {2, 4}, drop.test());
        assertTrue(drop.rule().contains(partition.sha256()) && drop.rule().endsWith("validation=drop"), drop.rule());
        assertArrayEquals(new int[] {0, 1, 3},
                SplitAssignment.byPartition(names, usable, partition, ImageFolderOptions.Validation.TRAIN).train());
        assertArrayEquals(new int[] {1, 2, 4},
                SplitAssignment.byPartition(names, usable, partition, ImageFolderOptions.Validation.TEST).test());
        usable[4] = false;
        assertArrayEquals(new int[] {2},
                SplitAssignment.byPartition(names, usable, partition, ImageFolderOptions.Validation.DROP).test());
    }
}
