package org.onnxtoolkit.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.Progress;

class ConsoleDatasetProgressTest {
    private static final long SECOND = 1_000_000_000L;

    private final StringWriter text = new StringWriter();
    private final AtomicLong now = new AtomicLong(5 * SECOND);
    private final ConsoleDatasetProgress progress = new ConsoleDatasetProgress(new PrintWriter(text), false,
            10 * SECOND, now::get);

    private List<String> lines() {
        return text.toString().lines().toList();
    }

    @Test
    void withoutATerminalItPrintsAStartLineALineEveryIntervalAndAnEndLine() {
        try (Progress.Task task = progress.start("decoding 1000 images of faces", 1000)) {
            assertEquals(List.of("decoding 1000 images of faces: started"), lines());
            now.addAndGet(4 * SECOND);
            task.advance(100);
            assertEquals(1, lines().size(), "no line before the interval has passed");
            now.addAndGet(6 * SECOND);
            task.advance(150);
            now.addAndGet(SECOND);
            task.advance(10);
            assertEquals(List.of("decoding 1000 images of faces: started",
                    "decoding 1000 images of faces: 250/1000 (25%), 25 img/s, about 30 s left"), lines());
            now.addAndGet(20 * SECOND);
            task.advance(740);
        }
        assertEquals("decoding 1000 images of faces: done, 1000 in 31 s (32 img/s)", lines().get(lines().size() - 1));
        assertEquals(3, lines().size(), "the last advance completed the work: its line is the end line");
    }

    @Test
    void aTaskClosedEarlySaysWhereItStoppedAndClosingTwiceSaysNothingMore() {
        Progress.Task task = progress.start("decoding 10 images of x", 10);
        task.advance(3);
        now.addAndGet(2 * SECOND);
        task.close();
        task.close();
        assertEquals(List.of("decoding 10 images of x: started", "decoding 10 images of x: stopped at 3/10 after 2.0 s"),
                lines());
    }

    @Test
    void manyThreadsAdvancingCountEveryUnitAndPrintWholeLines() throws Exception {
        ConsoleDatasetProgress realClock = new ConsoleDatasetProgress(new PrintWriter(text), false, 100_000,
                System::nanoTime);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Progress.Task task = realClock.start("decoding 40000 images of big", 40_000)) {
            for (int t = 0; t < 8; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        task.advance(1);
                    }
                });
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        List<String> lines = lines();
        assertEquals("decoding 40000 images of big: started", lines.get(0));
        assertTrue(lines.size() > 3, "some progress lines between: " + lines.size());
        assertTrue(lines.get(lines.size() - 1).startsWith("decoding 40000 images of big: done, 40000 in "),
                lines.get(lines.size() - 1));
        for (String line : lines) {
            assertTrue(line.matches("decoding 40000 images of big: (started|done, .*|\\d+/40000 \\(\\d+%\\), .*left)"),
                    "a garbled line: " + line);
        }
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("0.8 s", ConsoleDatasetProgress.duration(0.8));
        assertEquals("42 s", ConsoleDatasetProgress.duration(42.3));
        assertEquals("3 min 05 s", ConsoleDatasetProgress.duration(185));
        assertEquals("2 h 07 min", ConsoleDatasetProgress.duration(2 * 3600 + 7 * 60 + 10));
    }
}
