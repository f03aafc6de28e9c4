package org.onnxtoolkit.compiler.checkpoint;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Builds tiny, possibly malformed checkpoint flatbuffers for reader tests, with every knob the reader checks:
 * identifier, version, presence of module_state and frozen_params, and each tensor's dims, data type, raw
 * byte count and external-data offset.
 */
final class CheckpointFixtures {

    private CheckpointFixtures() {}

    /** A tensor as written, not validated. {@code externalOffset} null means the field is absent. */
    record RawTensor(String name, long[] dims, int dataType, byte[] raw, Long externalOffset) {
        static RawTensor floats(String name, long[] dims, float... values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putFloat(v);
            }
            return new RawTensor(name, dims, 1, b.array(), null);
        }
    }

    record Spec(String identifier, int version, boolean moduleState, boolean frozenVector, List<RawTensor> trainable) {
        static Spec valid() {
            return new Spec("ODTC", 2, true, true,
                    List.of(RawTensor.floats("w", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)));
        }

        Spec withIdentifier(String id) {
            return new Spec(id, version, moduleState, frozenVector, trainable);
        }

        Spec withVersion(int v) {
            return new Spec(identifier, v, moduleState, frozenVector, trainable);
        }

        Spec withoutModuleState() {
            return new Spec(identifier, version, false, frozenVector, trainable);
        }

        Spec withoutFrozenVector() {
            return new Spec(identifier, version, moduleState, false, trainable);
        }

        Spec withTensor(RawTensor t) {
            return new Spec(identifier, version, moduleState, frozenVector, List.of(t));
        }
    }

    static byte[] build(Spec spec) {
        FlatBufferBuilder b = new FlatBufferBuilder(256);
        int[] tensors = new int[spec.trainable().size()];
        for (int i = 0; i < tensors.length; i++) {
            RawTensor t = spec.trainable().get(i);
            int name = b.createString(t.name());
            b.startVector(8, t.dims().length, 8);
            for (int k = t.dims().length - 1; k >= 0; k--) {
                b.addLong(t.dims()[k]);
            }
            int dims = b.endVector();
            int raw = b.createByteVector(t.raw());
            b.startTable(7);
            b.addOffset(0, name, 0);
            b.addOffset(2, dims, 0);
            b.addInt(3, t.dataType(), -1);
            b.addOffset(4, raw, 0);
            if (t.externalOffset() != null) {
                b.addLong(6, t.externalOffset(), Long.MIN_VALUE);
            }
            tensors[i] = b.endTable();
        }
        int trainable = b.createVectorOfTables(tensors);
        int frozen = spec.frozenVector() ? b.createVectorOfTables(new int[0]) : 0;
        int module = 0;
        if (spec.moduleState()) {
            b.startTable(3);
            b.addOffset(0, trainable, 0);
            if (spec.frozenVector()) {
                b.addOffset(1, frozen, 0);
            }
            module = b.endTable();
        }
        b.startTable(4);
        b.addInt(0, spec.version(), Integer.MIN_VALUE);
        if (spec.moduleState()) {
            b.addOffset(1, module, 0);
        }
        int root = b.endTable();
        b.finish(root, spec.identifier());
        return b.sizedByteArray();
    }
}
