package org.onnxtoolkit.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one option parser of architectures, objectives and datasets: merging, typed getters, one-line messages. */
class PluginOptionsTest {
    private static final List<OptionSpec> SPECS = List.of(
            new OptionSpec("size", "64", "side"),
            new OptionSpec("crop", "", "centre crop (default: the largest)"),
            new OptionSpec("skip", "false", "skip bad images"),
            new OptionSpec("fraction", "0.1", "test share"),
            new OptionSpec("mode", "drop", "drop, train or test"),
            new OptionSpec("hidden", "400", "hidden sizes"));

    private static PluginOptions of(Map<String, String> given) {
        return PluginOptions.of("dataset demo", SPECS, given);
    }

    private static String failure(org.junit.jupiter.api.function.Executable e) {
        String m = assertThrows(IllegalArgumentException.class, e).getMessage();
        assertEquals(1, m.lines().count(), m);
        return m;
    }

    @Test
    void givenValuesOverrideDefaultsAndAreKnownAsGiven() {
        PluginOptions o = of(Map.of("size", "32", "skip", "TRUE"));
        assertEquals(32, o.getPositiveInt("size"));
        assertTrue(o.getBoolean("skip"));
        assertEquals(0.1, o.getFraction("fraction"));
        assertEquals("", o.get("crop"));
        assertTrue(o.isGiven("size"));
        assertFalse(o.isGiven("fraction"));
        assertEquals(Set.of("size", "skip"), o.given());
        assertEquals(List.of(400), o.getPositiveIntList("hidden"));
        assertEquals("train", of(Map.of("mode", " Train ")).getChoice("mode", "drop", "train", "test"));
        assertEquals(4096, of(Map.of("size", "4096")).getInt("size", 1, 4096));
    }

    @Test
    void undeclaredOptionsAreRefusedNamingTheDeclaredOnes() {
        assertEquals("dataset demo has no option 'sise' (options: crop, fraction, hidden, mode, size, skip)",
                failure(() -> of(Map.of("sise", "3"))));
        assertEquals("dataset demo has no options 'a', 'b' (options: crop, fraction, hidden, mode, size, skip)",
                failure(() -> of(Map.of("b", "1", "a", "2"))));
        assertEquals("dataset mnist has no option 'train-size' (it takes no options)",
                failure(() -> PluginOptions.of("dataset mnist", List.of(), Map.of("train-size", "2"))));
        assertEquals("dataset demo has no option 'nope'", failure(() -> of(Map.of()).get("nope")));
    }

    @Test
    void badValuesNameTheOptionTheFormAndTheValue() {
        assertEquals("dataset demo: option size must be a positive integer, got '0'",
                failure(() -> of(Map.of("size", "0")).getPositiveInt("size")));
        assertEquals("dataset demo: option size must be a positive integer, got '99999999999'",
                failure(() -> of(Map.of("size", "99999999999")).getPositiveInt("size")));
        assertEquals("dataset demo: option size must be a whole number in [1, 4096], got '4097'",
                failure(() -> of(Map.of("size", "4097")).getInt("size", 1, 4096)));
        assertEquals("dataset demo: option size must be a whole number in [1, 4096], got '1.5'",
                failure(() -> of(Map.of("size", "1.5")).getInt("size", 1, 4096)));
        assertEquals("dataset demo: option skip must be true or false, got 'yes'",
                failure(() -> of(Map.of("skip", "yes")).getBoolean("skip")));
        assertEquals("dataset demo: option fraction must be a number between 0 and 1 (exclusive), like 0.1, got '1'",
                failure(() -> of(Map.of("fraction", "1")).getFraction("fraction")));
        assertEquals("dataset demo: option fraction must be a number between 0 and 1 (exclusive), like 0.1, got 'NaN'",
                failure(() -> of(Map.of("fraction", "NaN")).getFraction("fraction")));
        assertEquals("dataset demo: option mode must be one of drop, train, test, got 'keep'",
                failure(() -> of(Map.of("mode", "keep")).getChoice("mode", "drop", "train", "test")));
        assertEquals("dataset demo: option hidden must be a comma-separated list of positive integers (like 512,256),"
                + " got '400,x'", failure(() -> of(Map.of("hidden", "400,x")).getPositiveIntList("hidden")));
        assertEquals("dataset demo: option fraction must be a number >= 0, got '-1'",
                failure(() -> of(Map.of("fraction", "-1")).getNonNegativeDouble("fraction")));
    }

    @Test
    void anOptionSpecWithoutDefaultOrDescriptionHasEmptyText() {
        OptionSpec s = new OptionSpec("crop", null, null);
        assertEquals("", s.defaultValue());
        assertEquals("", s.description());
        assertEquals("", PluginOptions.of("x", List.of(s), Map.of()).get("crop"));
        assertEquals("option name 'Crop' is not lower-kebab-case",
                assertThrows(IllegalArgumentException.class, () -> new OptionSpec("Crop", "", "")).getMessage());
    }
}
