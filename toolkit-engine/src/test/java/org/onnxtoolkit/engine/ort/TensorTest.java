package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void ofValidatesElementCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[5], 2, 3));
        assertEquals("shape [2, 3] needs 6 elements but data has 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[0], 2, -1));
        assertEquals("dimensions must be >= 0 but shape is [2, -1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1 << 20, 1 << 20));
        assertEquals("shape [1048576, 1048576] has more than Integer.MAX_VALUE elements", e.getMessage());
    }

    @Test
    void copiesInAndOut() {
        float[] data = {1, 2, 3, 4, 5, 6};
        long[] shape = {2, 3};
        Tensor t = Tensor.of(data, shape);
        data[0] = 99;
        shape[0] = 7;
        assertEquals(1f, t.get(0));
        assertArrayEquals(new long[] {2, 3}, t.shape());
        t.toArray()[1] = 42;
        t.shape()[1] = 42;
        assertEquals(2f, t.get(1));
        assertEquals(3, t.dim(1));
        assertEquals(2, t.rank());
        assertEquals(6, t.size());
        float[] dest = new float[8];
        t.copyTo(dest, 2);
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4, 5, 6}, dest);
    }

    @Test
    void scalarsAndZeroSizedTensors() {
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(0, s.rank());
        assertEquals(2.5f, s.item());
        assertEquals("Tensor[][2.5]", s.toString());
        Tensor empty = Tensor.zeros(0, 4);
        assertEquals(0, empty.size());
        IllegalStateException e = assertThrows(IllegalStateException.class, empty::item);
        assertEquals("item() needs exactly 1 element but shape [0, 4] has 0", e.getMessage());
    }

    @Test
    void equalityIsByShapeAndBits() {
        assertEquals(Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {1, 2}, 2));
        assertEquals(Tensor.of(new float[] {1, 2}, 2).hashCode(), Tensor.of(new float[] {1, 2}, 2).hashCode());
        assertNotEquals(Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {1, 2}, 1, 2));
        assertNotEquals(Tensor.scalar(0f), Tensor.scalar(-0f));
        assertEquals("Tensor[3, 4]", Tensor.zeros(3, 4).toString());
    }
}
