package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.Supplier;
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
    void everyElementTypeChecksItsShape() {
        for (Supplier<Tensor> wrong : java.util.List.<Supplier<Tensor>>of(
                () -> Tensor.of(new long[3], 2, 2), () -> Tensor.of(new int[3], 2, 2),
                () -> Tensor.ofUint8(new byte[3], 2, 2), () -> Tensor.of(new boolean[3], 2, 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, wrong::get);
            assertEquals("shape [2, 2] needs 4 elements but data has 3", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(ElementType.INT64, 3, -2));
        assertEquals("dimensions must be >= 0 but shape is [3, -2]", e.getMessage());
    }

    @Test
    void copiesInAndOut() {
        float[] data = {1, 2, 3, 4, 5, 6};
        long[] shape = {2, 3};
        Tensor t = Tensor.of(data, shape);
        data[0] = 99;
        shape[0] = 7;
        assertEquals(1f, t.toFloatArray()[0]);
        assertArrayEquals(new long[] {2, 3}, t.shape());
        t.toFloatArray()[1] = 42;
        t.shape()[1] = 42;
        assertEquals(2f, t.toFloatArray()[1]);
        assertEquals(3, t.dim(1));
        assertEquals(2, t.rank());
        assertEquals(6, t.size());
        assertEquals(ElementType.FLOAT32, t.type());

        long[] labels = {3, 1, 4};
        Tensor l = Tensor.of(labels, 3);
        labels[0] = 9;
        l.toLongArray()[1] = 9;
        assertArrayEquals(new long[] {3, 1, 4}, l.toLongArray());
        int[] ints = {5, 6};
        Tensor i = Tensor.of(ints, 2);
        ints[0] = 0;
        assertArrayEquals(new int[] {5, 6}, i.toIntArray());
        byte[] bytes = {0, (byte) 255};
        Tensor u = Tensor.ofUint8(bytes, 1, 2);
        bytes[1] = 1;
        assertArrayEquals(new byte[] {0, (byte) 255}, u.toUint8Array());
        boolean[] flags = {true, false};
        Tensor b = Tensor.of(flags, 2);
        flags[0] = false;
        b.toBooleanArray()[1] = true;
        assertArrayEquals(new boolean[] {true, false}, b.toBooleanArray());
    }

    @Test
    void aWrongTypeAccessFailsWithOneLineNamingBothTypes() {
        Tensor labels = Tensor.of(new long[] {1, 2}, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, labels::toFloatArray);
        assertEquals("toFloatArray() needs a float32 tensor but this one is int64 [2]; use toLongArray()",
                e.getMessage());
        e = assertThrows(IllegalStateException.class, labels::item);
        assertEquals("item() needs a float32 tensor but this one is int64 [2]; use toLongArray()", e.getMessage());
        Tensor x = Tensor.zeros(2, 3);
        e = assertThrows(IllegalStateException.class, x::toLongArray);
        assertEquals("toLongArray() needs a int64 tensor but this one is float32 [2, 3]; use toFloatArray()",
                e.getMessage());
        assertThrows(IllegalStateException.class, x::toIntArray);
        assertThrows(IllegalStateException.class, x::toUint8Array);
        assertThrows(IllegalStateException.class, x::toBooleanArray);
        e = assertThrows(IllegalStateException.class, Tensor.zeros(ElementType.BOOL, 1)::toUint8Array);
        assertEquals("toUint8Array() needs a uint8 tensor but this one is bool [1]; use toBooleanArray()",
                e.getMessage());
    }

    @Test
    void zerosOfEveryType() {
        assertArrayEquals(new long[4], Tensor.zeros(ElementType.INT64, 2, 2).toLongArray());
        assertArrayEquals(new int[2], Tensor.zeros(ElementType.INT32, 2).toIntArray());
        assertArrayEquals(new byte[3], Tensor.zeros(ElementType.UINT8, 3).toUint8Array());
        assertArrayEquals(new boolean[1], Tensor.zeros(ElementType.BOOL).toBooleanArray());
        assertEquals(0, Tensor.zeros(ElementType.BOOL).rank());
    }

    @Test
    void scalarsAndZeroSizedTensors() {
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(0, s.rank());
        assertEquals(2.5f, s.item());
        assertEquals("Tensor float32[][2.5]", s.toString());
        Tensor empty = Tensor.zeros(0, 4);
        assertEquals(0, empty.size());
        IllegalStateException e = assertThrows(IllegalStateException.class, empty::item);
        assertEquals("item() needs exactly 1 element but shape [0, 4] has 0", e.getMessage());
        assertEquals(7L, Tensor.of(new long[] {7}).toLongArray()[0], "no dimensions: a scalar of any type");
    }

    @Test
    void equalityIsByTypeShapeAndBits() {
        assertEquals(Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {1, 2}, 2));
        assertEquals(Tensor.of(new float[] {1, 2}, 2).hashCode(), Tensor.of(new float[] {1, 2}, 2).hashCode());
        assertNotEquals(Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {1, 2}, 1, 2));
        assertNotEquals(Tensor.scalar(0f), Tensor.scalar(-0f));
        assertNotEquals(Tensor.zeros(2), Tensor.zeros(ElementType.INT64, 2), "same zeros, other type");
        assertNotEquals(Tensor.zeros(ElementType.INT32, 2), Tensor.zeros(ElementType.INT64, 2));
        assertEquals(Tensor.of(new long[] {1, 2}, 2), Tensor.of(new long[] {1, 2}, 2));
        assertEquals(Tensor.of(new boolean[] {true}, 1).hashCode(), Tensor.of(new boolean[] {true}, 1).hashCode());
        assertEquals("Tensor float32[3, 4]", Tensor.zeros(3, 4).toString());
        assertEquals("Tensor int64[2][3, 7]", Tensor.of(new long[] {3, 7}, 2).toString());
        assertEquals("Tensor uint8[2][0, 255]", Tensor.ofUint8(new byte[] {0, (byte) 255}, 2).toString());
        assertEquals("Tensor bool[1][true]", Tensor.of(new boolean[] {true}, 1).toString());
    }

    @Test
    void elementTypesKnowTheirOnnxCodes() {
        assertEquals(1, ElementType.FLOAT32.onnxCode());
        assertEquals(7, ElementType.INT64.onnxCode());
        assertEquals(ElementType.UINT8, ElementType.ofOnnxCode(2));
        assertEquals(ElementType.INT32, ElementType.ofOnnxCode(6));
        assertEquals(ElementType.BOOL, ElementType.ofOnnxCode(9));
        assertNull(ElementType.ofOnnxCode(10));
        assertEquals("float16", ElementType.nameOf(10));
        assertEquals("int64", ElementType.nameOf(7));
        assertEquals("double", ElementType.nameOf(11));
        assertEquals("string", ElementType.nameOf(8));
        assertEquals("element type 99", ElementType.nameOf(99));
    }
}
