package org.onnxtoolkit.compiler.checkpoint;

import static org.onnxtoolkit.compiler.checkpoint.CheckpointSchema.*;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads ORT training checkpoints: ours ({@link CheckpointWriter}) and those ORT saves with
 * {@code SaveCheckpoint}, including optimizer groups (step, initial learning rate, per-parameter
 * {@code momentum0}/{@code momentum1}).
 *
 * <p>Validation is strict and every failure is a {@link CheckpointFormatException} naming the file and the
 * problem: a file too short for a flatbuffer, a wrong identifier (expected {@code "ODTC"}), an unsupported
 * version (expected 2), a missing {@code module_state} or {@code frozen_params} vector, a tensor without a
 * name, with a non-float data type, negative dimensions, external data, or {@code raw_data} whose length is
 * not {@code product(dims) * 4}, and any offset or length pointing outside the file.
 *
 * <p>Stateless and thread-safe.
 */
public final class CheckpointReader {

    private CheckpointReader() {}

    /**
     * Reads and validates a checkpoint file.
     *
     * @param path the file
     * @return its contents
     * @throws CheckpointFormatException if the file is not a valid version-2 ORT checkpoint
     * @throws IOException if the file cannot be read
     */
    public static CheckpointContents read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return read(Files.readAllBytes(path), path.toString());
    }

    /**
     * Reads and validates a checkpoint held in memory.
     *
     * @param bytes the file's bytes; not modified
     * @param source names the bytes in error messages, e.g. a file name
     * @return the contents
     * @throws CheckpointFormatException if the bytes are not a valid version-2 ORT checkpoint
     */
    public static CheckpointContents read(byte[] bytes, String source) throws CheckpointFormatException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        try {
            return new Parser(bytes, source).checkpoint();
        } catch (IndexOutOfBoundsException | BufferUnderflowException | IllegalArgumentException
                | ArithmeticException e) {
            // Bounds are checked explicitly; this is the safety net for anything those checks missed.
            throw new CheckpointFormatException(source, "corrupt flatbuffer (" + e + ")", e);
        }
    }

    /** One pass over one buffer. Offsets are flatbuffer uoffset_t (unsigned 32-bit), little-endian. */
    private static final class Parser {
        private final ByteBuffer bb;
        private final String source;
        private final int length;

        Parser(byte[] bytes, String source) {
            this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            this.source = source;
            this.length = bytes.length;
        }

        CheckpointFormatException error(String problem) {
            return new CheckpointFormatException(source, problem);
        }

        CheckpointContents checkpoint() throws CheckpointFormatException {
            if (length < 12) {
                throw error("file too short: " + length + " bytes, a flatbuffer checkpoint needs at least 12");
            }
            byte[] id = new byte[4];
            bb.get(4, id);
            String identifier = new String(id, StandardCharsets.ISO_8859_1);
            if (!identifier.equals(FILE_IDENTIFIER)) {
                throw error("wrong file identifier: expected \"" + FILE_IDENTIFIER + "\" at bytes 4..7 but found \""
                        + printable(identifier) + "\"");
            }
            int root = table(offsetAt(0, "root table"), "Checkpoint");
            int version = readInt(root, CHECKPOINT_VERSION, 0, "Checkpoint.version");
            if (version != VERSION) {
                throw error("unsupported version " + version + ": expected " + VERSION);
            }
            int moduleState = tableField(root, CHECKPOINT_MODULE_STATE, "Checkpoint.module_state");
            if (moduleState < 0) {
                throw error("missing module_state");
            }
            int trainableVec = vectorField(moduleState, MODULE_REQUIRES_GRAD_PARAMS, 4,
                    "ModuleState.requires_grad_params");
            if (trainableVec < 0) {
                throw error("missing requires_grad_params vector in module_state");
            }
            int frozenVec = vectorField(moduleState, MODULE_FROZEN_PARAMS, 4, "ModuleState.frozen_params");
            if (frozenVec < 0) {
                throw error("missing frozen_params vector in module_state (ORT requires it, even empty)");
            }
            boolean nominal = readByte(moduleState, MODULE_IS_NOMINAL_STATE, "ModuleState.is_nominal_state") != 0;
            List<NamedTensor> trainable = tensors(trainableVec, "requires_grad_params");
            List<NamedTensor> frozen = tensors(frozenVec, "frozen_params");

            List<OptimizerGroupState> groups = new ArrayList<>();
            int groupVec = vectorField(root, CHECKPOINT_OPTIMIZER_GROUPS, 4, "Checkpoint.optimizer_groups");
            if (groupVec >= 0) {
                int n = vectorLength(groupVec);
                for (int i = 0; i < n; i++) {
                    groups.add(optimizerGroup(table(element(groupVec, i), "OptimizerGroup"), i));
                }
            }

            Map<String, Long> ints = new LinkedHashMap<>();
            Map<String, Float> floats = new LinkedHashMap<>();
            Map<String, String> strings = new LinkedHashMap<>();
            int bag = tableField(root, CHECKPOINT_PROPERTY_BAG, "Checkpoint.property_bag");
            if (bag >= 0) {
                readProperties(bag, ints, floats, strings);
            }
            return new CheckpointContents(version, trainable, frozen, nominal, groups, ints, floats, strings);
        }

        private OptimizerGroupState optimizerGroup(int group, int index) throws CheckpointFormatException {
            String what = "optimizer_groups[" + index + "]";
            String name = stringField(group, GROUP_NAME, what + ".group_name");
            if (name == null) {
                throw error(what + " has no group_name");
            }
            long step = readLong(group, GROUP_STEP, 0L, what + ".step");
            if (step < 0) {
                throw error(what + " has a negative step: " + step);
            }
            float lr = readFloat(group, GROUP_INITIAL_LEARNING_RATE, 0f, what + ".initial_learning_rate");
            List<ParameterOptimizerState> states = new ArrayList<>();
            int statesVec = vectorField(group, GROUP_OPTIMIZER_STATES, 4, what + ".optimizer_states");
            if (statesVec >= 0) {
                int n = vectorLength(statesVec);
                for (int i = 0; i < n; i++) {
                    String stateWhat = what + ".optimizer_states[" + i + "]";
                    int state = table(element(statesVec, i), "ParameterOptimizerState");
                    String param = stringField(state, PARAM_STATE_NAME, stateWhat + ".param_name");
                    if (param == null) {
                        throw error(stateWhat + " has no param_name");
                    }
                    int momVec = vectorField(state, PARAM_STATE_MOMENTUMS, 4, stateWhat + ".momentums");
                    List<NamedTensor> moms = momVec < 0 ? List.of()
                            : tensors(momVec, stateWhat + " ('" + param + "') momentums");
                    states.add(new ParameterOptimizerState(param, moms));
                }
            }
            return new OptimizerGroupState(name, step, lr, states);
        }

        private void readProperties(int bag, Map<String, Long> ints, Map<String, Float> floats,
                Map<String, String> strings) throws CheckpointFormatException {
            int intVec = vectorField(bag, BAG_INTS, 4, "PropertyBag.ints");
            for (int i = 0; intVec >= 0 && i < vectorLength(intVec); i++) {
                int p = table(element(intVec, i), "IntProperty");
                String name = propertyName(p, "ints", i);
                ints.put(name, readLong(p, PROPERTY_VALUE, 0L, "int property '" + name + "'"));
            }
            int floatVec = vectorField(bag, BAG_FLOATS, 4, "PropertyBag.floats");
            for (int i = 0; floatVec >= 0 && i < vectorLength(floatVec); i++) {
                int p = table(element(floatVec, i), "FloatProperty");
                String name = propertyName(p, "floats", i);
                floats.put(name, readFloat(p, PROPERTY_VALUE, 0f, "float property '" + name + "'"));
            }
            int stringVec = vectorField(bag, BAG_STRINGS, 4, "PropertyBag.strings");
            for (int i = 0; stringVec >= 0 && i < vectorLength(stringVec); i++) {
                int p = table(element(stringVec, i), "StringProperty");
                String name = propertyName(p, "strings", i);
                String value = stringField(p, PROPERTY_VALUE, "string property '" + name + "'");
                strings.put(name, value == null ? "" : value);
            }
        }

        private String propertyName(int table, String kind, int index) throws CheckpointFormatException {
            String name = stringField(table, PROPERTY_NAME, "property_bag." + kind + "[" + index + "].name");
            if (name == null) {
                throw error("property_bag." + kind + "[" + index + "] has no name");
            }
            return name;
        }

        private List<NamedTensor> tensors(int vector, String what) throws CheckpointFormatException {
            int n = vectorLength(vector);
            List<NamedTensor> result = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                result.add(tensor(table(element(vector, i), "Tensor"), what + "[" + i + "]"));
            }
            return result;
        }

        private NamedTensor tensor(int t, String what) throws CheckpointFormatException {
            String name = stringField(t, TENSOR_NAME, what + ".name");
            if (name == null || name.isEmpty()) {
                throw error("tensor " + what + " has no name");
            }
            String label = "tensor '" + name + "' (" + what + ")";
            int type = readInt(t, TENSOR_DATA_TYPE, 0, label + ".data_type");
            if (type != DATA_TYPE_FLOAT) {
                throw error(label + " has data_type " + type + ": expected " + DATA_TYPE_FLOAT + " (FLOAT)");
            }
            long externalOffset = readLong(t, TENSOR_EXTERNAL_DATA_OFFSET, -1L, label + ".external_data_offset");
            if (externalOffset != -1L) {
                throw error(label + " stores its data externally (external_data_offset " + externalOffset
                        + "), which is not supported: expected raw_data in the file");
            }
            int dimsVec = vectorField(t, TENSOR_DIMS, 8, label + ".dims");
            int rank = dimsVec < 0 ? 0 : vectorLength(dimsVec);
            long[] dims = new long[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = bb.getLong(dimsVec + 4 + 8 * i);
            }
            for (int i = 0; i < rank; i++) {
                if (dims[i] < 0) {
                    throw error(label + " has a negative dimension: dims " + Arrays.toString(dims));
                }
                count = Math.multiplyExact(count, dims[i]);
                if (count > Integer.MAX_VALUE / 4) {
                    throw error(label + " is too large: dims " + Arrays.toString(dims));
                }
            }
            int rawVec = vectorField(t, TENSOR_RAW_DATA, 1, label + ".raw_data");
            int rawLength = rawVec < 0 ? 0 : vectorLength(rawVec);
            if (rawLength != count * 4) {
                throw error(label + " has " + rawLength + " bytes of raw_data: expected product(dims " + Arrays.toString(dims)
                        + ") * 4 = " + count * 4);
            }
            float[] data = new float[(int) count];
            if (count > 0) {
                bb.slice(rawVec + 4, rawLength).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            }
            return new NamedTensor(name, dims, data);
        }

        // ---- flatbuffer primitives with bounds checks ------------------------------------------------

        /** Reads a uoffset at {@code pos} and returns the absolute position it points to. */
        private int offsetAt(int pos, String what) throws CheckpointFormatException {
            checkRange(pos, 4, what);
            long target = pos + Integer.toUnsignedLong(bb.getInt(pos));
            if (target >= length) {
                throw error("offset out of bounds: " + what + " points to " + target + " but the file has " + length
                        + " bytes");
            }
            return (int) target;
        }

        /** Validates a table at {@code pos} (its vtable and object size) and returns {@code pos}. */
        private int table(int pos, String what) throws CheckpointFormatException {
            checkRange(pos, 4, what + " table");
            long vtable = (long) pos - bb.getInt(pos);
            if (vtable < 0 || vtable + 4 > length) {
                throw error("offset out of bounds: vtable of " + what + " table at " + pos + " is at " + vtable);
            }
            int vtableSize = Short.toUnsignedInt(bb.getShort((int) vtable));
            int objectSize = Short.toUnsignedInt(bb.getShort((int) vtable + 2));
            if (vtableSize < 4 || vtableSize % 2 != 0 || vtable + vtableSize > length) {
                throw error("corrupt vtable of " + what + " table at " + pos + " (vtable size " + vtableSize + ")");
            }
            if (objectSize < 4 || (long) pos + objectSize > length) {
                throw error("offset out of bounds: " + what + " table at " + pos + " has size " + objectSize
                        + " but the file has " + length + " bytes");
            }
            return pos;
        }

        /** @return the absolute position of a field, or -1 if absent */
        private int field(int table, int slot, int size, String what) throws CheckpointFormatException {
            int vtable = table - bb.getInt(table);
            int vtableSize = Short.toUnsignedInt(bb.getShort(vtable));
            int entry = 4 + 2 * slot;
            if (entry + 2 > vtableSize) {
                return -1;
            }
            int offset = Short.toUnsignedInt(bb.getShort(vtable + entry));
            if (offset == 0) {
                return -1;
            }
            int objectSize = Short.toUnsignedInt(bb.getShort(vtable + 2));
            if (offset + size > objectSize) {
                throw error("offset out of bounds: field " + what + " lies outside its table");
            }
            return table + offset;
        }

        private int readInt(int table, int slot, int def, String what) throws CheckpointFormatException {
            int pos = field(table, slot, 4, what);
            return pos < 0 ? def : bb.getInt(pos);
        }

        private long readLong(int table, int slot, long def, String what) throws CheckpointFormatException {
            int pos = field(table, slot, 8, what);
            return pos < 0 ? def : bb.getLong(pos);
        }

        private float readFloat(int table, int slot, float def, String what) throws CheckpointFormatException {
            int pos = field(table, slot, 4, what);
            return pos < 0 ? def : bb.getFloat(pos);
        }

        private int readByte(int table, int slot, String what) throws CheckpointFormatException {
            int pos = field(table, slot, 1, what);
            return pos < 0 ? 0 : bb.get(pos);
        }

        /** @return the position of the referenced table, or -1 if absent */
        private int tableField(int table, int slot, String what) throws CheckpointFormatException {
            int pos = field(table, slot, 4, what);
            return pos < 0 ? -1 : table(offsetAt(pos, what), what);
        }

        /** @return the position of the vector's length prefix, or -1 if absent; the whole vector is in bounds */
        private int vectorField(int table, int slot, int elementSize, String what) throws CheckpointFormatException {
            int pos = field(table, slot, 4, what);
            if (pos < 0) {
                return -1;
            }
            int vec = offsetAt(pos, what);
            checkRange(vec, 4, what + " length");
            long n = Integer.toUnsignedLong(bb.getInt(vec));
            if (vec + 4 + n * elementSize > length) {
                throw error("offset out of bounds: " + what + " has " + n + " elements of " + elementSize
                        + " bytes at " + vec + " but the file has " + length + " bytes");
            }
            return vec;
        }

        private int vectorLength(int vec) {
            return bb.getInt(vec);
        }

        /** @return the absolute position the i-th offset element of a vector of tables points to */
        private int element(int vec, int i) throws CheckpointFormatException {
            return offsetAt(vec + 4 + 4 * i, "element " + i + " of the vector at " + vec);
        }

        private String stringField(int table, int slot, String what) throws CheckpointFormatException {
            int pos = field(table, slot, 4, what);
            if (pos < 0) {
                return null;
            }
            int str = offsetAt(pos, what);
            checkRange(str, 4, what + " length");
            long n = Integer.toUnsignedLong(bb.getInt(str));
            if (str + 4 + n > length) {
                throw error("offset out of bounds: string " + what + " of " + n + " bytes at " + str
                        + " runs past the end of the file (" + length + " bytes)");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bb.slice(str + 4, (int) n))
                        .toString();
            } catch (CharacterCodingException e) {
                throw error("string " + what + " is not valid UTF-8");
            }
        }

        private void checkRange(long pos, int size, String what) throws CheckpointFormatException {
            if (pos < 0 || pos + size > length) {
                throw error("offset out of bounds: " + what + " at " + pos + " (+" + size + " bytes) but the file has "
                        + length + " bytes");
            }
        }

        private static String printable(String s) {
            StringBuilder sb = new StringBuilder();
            for (char c : s.toCharArray()) {
                sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
            }
            return sb.toString();
        }
    }
}
