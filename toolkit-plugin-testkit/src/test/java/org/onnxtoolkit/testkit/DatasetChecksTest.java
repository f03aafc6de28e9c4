package org.onnxtoolkit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;

/** The dataset checks: what passes, and the one line each flaw gets. */
class DatasetChecksTest {
    private static final DatasetOptions REQUEST = new DatasetOptions(null, null, 7, Map.of());
    private static final DatasetOptions COLOUR = new DatasetOptions(null, new ImageShape(3, 5, 5), 7,
            Map.of("train-size", "40"));

    @Test
    void aWellFormedDatasetPassesAndItsSplitsAreReturned() {
        DatasetSplits splits = PluginConformance.assertDataset(new TinyDataset(), REQUEST);
        assertEquals(6, splits.train().size());
        assertEquals(3, splits.test().size());
        assertEquals(TinyDataset.DEFAULT_SHAPE, splits.train().shape());
        DatasetSplits colour = PluginConformance.assertDataset(new TinyDataset(), COLOUR);
        assertEquals(new ImageShape(3, 5, 5), colour.test().shape());
        assertEquals(40, colour.train().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "UNSEEDED | dataset tiny-dataset: the train split: image 0 differs between two opens with the same request",
            "FINGERPRINT_BY_TIME | dataset tiny-dataset: two opens with the same request gave the fingerprints tiny-7-3x5x5-40-3-",
            "LABEL_OUT_OF_RANGE | dataset tiny-dataset: the train split: image 39 has label 3, but labels index the 3 classes, 0 to 2",
            "ACCEPTS_ANY_OPTION | dataset tiny-dataset accepted the undeclared option conformance-check-undeclared-option; read the options with options.optionsFor(this)",
            "IGNORES_SHAPE | dataset tiny-dataset: the train split holds 1x4x4 images, but 3x5x5 were asked for",
            "WRITES_PAST_THE_IMAGE | dataset tiny-dataset: the train split: copyImage(0, target, 3) wrote target[78], outside target[3 .. 78)",
            "NO_BOUNDS_CHECK | dataset tiny-dataset: the train split: copyImage(-1) on 40 images did not throw IndexOutOfBoundsException",
            "MULTI_LINE_NOTE | dataset tiny-dataset: each note must be one line, got 'first line\\nsecond line'",
            "CONFINED_TO_ONE_THREAD | dataset tiny-dataset: the train split: image 0 read concurrently differs from the same image read alone"})
    void eachDatasetFlawIsNamed(TinyDataset.Flaw flaw, String expected) {
        Failures.message(() -> PluginConformance.assertDataset(new TinyDataset(flaw), COLOUR), expected);
    }

    @Test
    void aRequestTheDatasetCannotOpenIsNamed() {
        Failures.message(() -> PluginConformance.assertDataset(new TinyDataset(),
                new DatasetOptions(null, null, 7, Map.of("train-size", "none"))),
                "dataset tiny-dataset cannot open the request given to the check (java.lang.IllegalArgumentException:"
                        + " dataset tiny-dataset: option train-size must be a positive integer, got 'none')");
    }
}
