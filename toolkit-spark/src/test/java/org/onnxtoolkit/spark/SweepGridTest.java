package org.onnxtoolkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepGridTest {
    @Test
    void everyCombinationFirstAxisSlowest() {
        SweepGrid grid = SweepGrid.parse(List.of("lr=0.001,0.003", "--latent=2, 4 ,8"));
        assertEquals(List.of("lr", "latent"), grid.keys());
        List<Map<String, String>> all = grid.combinations();
        assertEquals(6, all.size());
        assertEquals(Map.of("lr", "0.001", "latent", "2"), all.get(0));
        assertEquals(Map.of("lr", "0.001", "latent", "8"), all.get(2));
        assertEquals(Map.of("lr", "0.003", "latent", "4"), all.get(4));
        assertEquals(List.of("lr", "latent"), new ArrayList<>(all.get(5).keySet()));
    }

    @Test
    void semicolonsSeparateValuesThatHoldCommas() {
        SweepGrid grid = SweepGrid.parse(List.of("hidden=512,256;256"));
        assertEquals(List.of("512,256", "256"), grid.axes().get(0).values());
        Map<String, String> values = new LinkedHashMap<>();
        values.put("hidden", "512,256");
        values.put("kl-weight", "0.5");
        assertEquals("03-hidden=512_256-kl-weight=0.5", SweepGrid.runName(2, 12, values));
        assertEquals("003-hidden=512_256-kl-weight=0.5", SweepGrid.runName(2, 100, values));
    }

    @Test
    void runsCarryTheCommonFlagsThenTheVariedOnes() {
        List<SweepRun> runs = SweepRun.of(SweepGrid.parse(List.of("lr=0.1,0.2")), List.of("--epochs", "3"));
        assertEquals(2, runs.size());
        assertEquals(List.of("--epochs", "3", "--lr", "0.2"), runs.get(1).flags());
        assertEquals("02-lr=0.2", runs.get(1).name());
        assertEquals(1, runs.get(1).index());
    }

    @Test
    void badGridsSayWhatIsWrong() {
        assertEquals("--grid lr: expected KEY=V1,V2,... (for example --grid lr=0.001,0.003)",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("lr"))).getMessage());
        assertEquals("--grid lr= : expected KEY=V1,V2,... (for example --grid lr=0.001,0.003)".replace("= ", "="),
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("lr="))).getMessage());
        assertEquals("--grid out: the sweep sets --out of its runs itself; it cannot be varied",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("out=a,b"))).getMessage());
        assertEquals("--grid lr has an empty value",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("lr=0.1,,0.2"))).getMessage());
        assertEquals("--grid lr repeats a value: [0.1, 0.1]",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("lr=0.1,0.1"))).getMessage());
        assertEquals("--grid names the same key twice",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("lr=1", "lr=2"))).getMessage());
        assertEquals("a sweep needs at least one --grid KEY=V1,V2,...",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("Lr=1")));
    }
}
