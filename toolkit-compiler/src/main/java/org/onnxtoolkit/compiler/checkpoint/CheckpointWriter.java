package org.onnxtoolkit.compiler.checkpoint;

import static org.onnxtoolkit.compiler.checkpoint.CheckpointSchema.*;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.onnxtoolkit.compiler.io.AtomicFiles;

/**
 * Writes an initial ORT training checkpoint: the flatbuffer file that {@code LoadCheckpoint} reads before the
 * first training step.
 *
 * <p>Layout (identifier {@code "ODTC"}, {@code version = 2}): trainable parameters go to
 * {@code module_state.requires_grad_params} in the order added, frozen ones to {@code frozen_params} (always
 * present, possibly empty: ORT rejects a missing vector), optimizer groups as added with
 * {@link #addOptimizerGroup} (none for an initial checkpoint: ORT then starts with zero moments, step 0 and
 * learning rate 0.001; with a group, a session created with an optimizer model continues from its step and
 * moments, as from a checkpoint ORT saved with optimizer state), and a property bag holds the properties,
 * sorted by name within each type. Tensor data is little-endian float32, row-major, in a vector aligned to 16 bytes. The
 * output bytes depend only on what was added (deterministic).
 *
 * <p>Usage:
 * <pre>{@code
 * byte[] bytes = new CheckpointWriter()
 *         .addTrainable(new NamedTensor("encoder/fc1/weight", new long[] {784, 400}, w))
 *         .addFrozen(new NamedTensor("bn/running_mean", new long[] {32}, rm))
 *         .addProperty("epoch", 0L)
 *         .toBytes();
 * }</pre>
 *
 * <p>Not thread-safe; a writer may be used for several outputs.
 */
public final class CheckpointWriter {

    private final List<NamedTensor> trainable = new ArrayList<>();
    private final List<NamedTensor> frozen = new ArrayList<>();
    private final Set<String> parameterNames = new HashSet<>();
    private final List<OptimizerGroupState> optimizerGroups = new ArrayList<>();
    private final TreeMap<String, Long> ints = new TreeMap<>();
    private final TreeMap<String, Float> floats = new TreeMap<>();
    private final TreeMap<String, String> strings = new TreeMap<>();

    /** Creates an empty writer. */
    public CheckpointWriter() {}

    /**
     * Adds a trainable parameter (written in the order added).
     *
     * @param tensor the parameter; its name must equal the training graph input it binds to
     * @return this writer
     * @throws IllegalArgumentException if a parameter with that name was already added
     */
    public CheckpointWriter addTrainable(NamedTensor tensor) {
        trainable.add(checkNew(tensor));
        return this;
    }

    /**
     * Adds trainable parameters in list order.
     *
     * @param tensors the parameters
     * @return this writer
     */
    public CheckpointWriter addTrainable(List<NamedTensor> tensors) {
        tensors.forEach(this::addTrainable);
        return this;
    }

    /**
     * Adds a frozen (non-trainable) parameter, e.g. batch-norm running statistics.
     *
     * @param tensor the parameter
     * @return this writer
     * @throws IllegalArgumentException if a parameter with that name was already added
     */
    public CheckpointWriter addFrozen(NamedTensor tensor) {
        frozen.add(checkNew(tensor));
        return this;
    }

    /**
     * Adds frozen parameters in list order.
     *
     * @param tensors the parameters
     * @return this writer
     */
    public CheckpointWriter addFrozen(List<NamedTensor> tensors) {
        tensors.forEach(this::addFrozen);
        return this;
    }

    private NamedTensor checkNew(NamedTensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        if (!parameterNames.add(tensor.name())) {
            throw new IllegalArgumentException("duplicate parameter name '" + tensor.name() + "'");
        }
        return tensor;
    }

    /**
     * Adds an optimizer group (written in the order added): its step, initial learning rate and each
     * parameter's moments, as {@link CheckpointReader} reads them from a checkpoint ORT saved with optimizer
     * state. Every parameter state must name a trainable parameter (added before or after this call; checked
     * by {@link #toBytes}) and each moment must have that parameter's shape.
     *
     * @param group the group, e.g. {@code "group0"} with AdamW's {@code momentum0} and {@code momentum1}
     * @return this writer
     * @throws IllegalArgumentException if a group with that name was already added
     */
    public CheckpointWriter addOptimizerGroup(OptimizerGroupState group) {
        Objects.requireNonNull(group, "group");
        if (optimizerGroups.stream().anyMatch(g -> g.groupName().equals(group.groupName()))) {
            throw new IllegalArgumentException("duplicate optimizer group '" + group.groupName() + "'");
        }
        optimizerGroups.add(group);
        return this;
    }

    /**
     * Adds an int64 property.
     *
     * @param name the property name, unique over all property types
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if a property with that name exists
     */
    public CheckpointWriter addProperty(String name, long value) {
        checkNewProperty(name);
        ints.put(name, value);
        return this;
    }

    /**
     * Adds a float property.
     *
     * @param name the property name, unique over all property types
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if a property with that name exists
     */
    public CheckpointWriter addProperty(String name, float value) {
        checkNewProperty(name);
        floats.put(name, value);
        return this;
    }

    /**
     * Adds a string property.
     *
     * @param name the property name, unique over all property types
     * @param value the value, written as UTF-8
     * @return this writer
     * @throws IllegalArgumentException if a property with that name exists
     */
    public CheckpointWriter addProperty(String name, String value) {
        checkNewProperty(name);
        strings.put(name, Objects.requireNonNull(value, "value"));
        return this;
    }

    private void checkNewProperty(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("property name must not be empty");
        }
        if (ints.containsKey(name) || floats.containsKey(name) || strings.containsKey(name)) {
            throw new IllegalArgumentException("duplicate property name '" + name + "'");
        }
    }

    /**
     * Serializes the checkpoint.
     *
     * @return the file's bytes
     * @throws IllegalStateException if no parameter was added, or an optimizer group's parameter state names
     *     no trainable parameter or has a moment of another shape
     */
    public byte[] toBytes() {
        if (trainable.isEmpty() && frozen.isEmpty()) {
            throw new IllegalStateException("a checkpoint needs at least one parameter");
        }
        long dataBytes = 0;
        for (NamedTensor t : trainable) {
            dataBytes += 4L * t.size();
        }
        for (NamedTensor t : frozen) {
            dataBytes += 4L * t.size();
        }
        for (OptimizerGroupState g : optimizerGroups) {
            for (ParameterOptimizerState state : g.parameterStates()) {
                NamedTensor parameter = trainable.stream().filter(t -> t.name().equals(state.parameterName()))
                        .findFirst().orElseThrow(() -> new IllegalStateException("optimizer group '" + g.groupName()
                                + "' has a state for '" + state.parameterName() + "', which is no trainable parameter"));
                for (NamedTensor m : state.momentums()) {
                    if (!java.util.Arrays.equals(m.rawDims(), parameter.rawDims())) {
                        throw new IllegalStateException("optimizer group '" + g.groupName() + "': moment '" + m.name()
                                + "' of '" + state.parameterName() + "' has shape " + java.util.Arrays.toString(m.rawDims())
                                + ", the parameter " + java.util.Arrays.toString(parameter.rawDims()));
                    }
                    dataBytes += 4L * m.size();
                }
            }
        }
        FlatBufferBuilder b = new FlatBufferBuilder((int) Math.min(Integer.MAX_VALUE - 8, dataBytes + 1024));

        int trainableVector = b.createVectorOfTables(writeTensors(b, trainable));
        int frozenVector = b.createVectorOfTables(writeTensors(b, frozen));
        b.startTable(MODULE_FIELDS);
        b.addOffset(MODULE_REQUIRES_GRAD_PARAMS, trainableVector, 0);
        b.addOffset(MODULE_FROZEN_PARAMS, frozenVector, 0);
        int moduleState = b.endTable();

        int groups = optimizerGroups.isEmpty() ? 0 : writeOptimizerGroups(b);
        int propertyBag = writePropertyBag(b);

        b.startTable(CHECKPOINT_FIELDS);
        b.addInt(CHECKPOINT_VERSION, VERSION, 0);
        b.addOffset(CHECKPOINT_MODULE_STATE, moduleState, 0);
        if (groups != 0) {
            b.addOffset(CHECKPOINT_OPTIMIZER_GROUPS, groups, 0);
        }
        b.addOffset(CHECKPOINT_PROPERTY_BAG, propertyBag, 0);
        int checkpoint = b.endTable();
        b.finish(checkpoint, FILE_IDENTIFIER);
        return b.sizedByteArray();
    }

    private int writeOptimizerGroups(FlatBufferBuilder b) {
        int[] groupTables = new int[optimizerGroups.size()];
        for (int g = 0; g < groupTables.length; g++) {
            OptimizerGroupState group = optimizerGroups.get(g);
            int[] stateTables = new int[group.parameterStates().size()];
            for (int i = 0; i < stateTables.length; i++) {
                ParameterOptimizerState state = group.parameterStates().get(i);
                int name = b.createString(state.parameterName());
                int momentums = b.createVectorOfTables(writeTensors(b, state.momentums()));
                b.startTable(PARAM_STATE_FIELDS);
                b.addOffset(PARAM_STATE_NAME, name, 0);
                b.addOffset(PARAM_STATE_MOMENTUMS, momentums, 0);
                stateTables[i] = b.endTable();
            }
            int states = b.createVectorOfTables(stateTables);
            int name = b.createString(group.groupName());
            b.startTable(GROUP_FIELDS);
            b.addOffset(GROUP_NAME, name, 0);
            // Written even when 0 or ORT's default: the values read back are the values given.
            b.addLong(GROUP_STEP, group.step(), Long.MIN_VALUE);
            b.addFloat(GROUP_INITIAL_LEARNING_RATE, group.initialLearningRate(), Double.NaN);
            b.addOffset(GROUP_OPTIMIZER_STATES, states, 0);
            groupTables[g] = b.endTable();
        }
        return b.createVectorOfTables(groupTables);
    }

    private static int[] writeTensors(FlatBufferBuilder b, List<NamedTensor> tensors) {
        int[] offsets = new int[tensors.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = writeTensor(b, tensors.get(i));
        }
        return offsets;
    }

    private static int writeTensor(FlatBufferBuilder b, NamedTensor t) {
        int name = b.createString(t.name());
        long[] dims = t.rawDims();
        b.startVector(Long.BYTES, dims.length, Long.BYTES);
        for (int i = dims.length - 1; i >= 0; i--) {
            b.addLong(dims[i]);
        }
        int dimsVector = b.endVector();
        float[] data = t.rawData();
        ByteBuffer raw = b.createUnintializedVector(1, data.length * Float.BYTES, RAW_DATA_ALIGNMENT);
        raw.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data);
        int rawVector = b.endVector();
        b.startTable(TENSOR_FIELDS_WRITTEN);
        b.addOffset(TENSOR_NAME, name, 0);
        b.addOffset(TENSOR_DIMS, dimsVector, 0);
        b.addInt(TENSOR_DATA_TYPE, DATA_TYPE_FLOAT, 0);
        b.addOffset(TENSOR_RAW_DATA, rawVector, 0);
        return b.endTable();
    }

    private int writePropertyBag(FlatBufferBuilder b) {
        int[] intTables = new int[ints.size()];
        int i = 0;
        for (Map.Entry<String, Long> e : ints.entrySet()) {
            int name = b.createString(e.getKey());
            b.startTable(PROPERTY_FIELDS);
            b.addOffset(PROPERTY_NAME, name, 0);
            b.addLong(PROPERTY_VALUE, e.getValue(), 0L);
            intTables[i++] = b.endTable();
        }
        int intVector = b.createVectorOfTables(intTables);

        int[] floatTables = new int[floats.size()];
        i = 0;
        for (Map.Entry<String, Float> e : floats.entrySet()) {
            int name = b.createString(e.getKey());
            b.startTable(PROPERTY_FIELDS);
            b.addOffset(PROPERTY_NAME, name, 0);
            b.addFloat(PROPERTY_VALUE, e.getValue(), 0.0);
            floatTables[i++] = b.endTable();
        }
        int floatVector = b.createVectorOfTables(floatTables);

        int[] stringTables = new int[strings.size()];
        i = 0;
        for (Map.Entry<String, String> e : strings.entrySet()) {
            int name = b.createString(e.getKey());
            int value = b.createString(e.getValue());
            b.startTable(PROPERTY_FIELDS);
            b.addOffset(PROPERTY_NAME, name, 0);
            b.addOffset(PROPERTY_VALUE, value, 0);
            stringTables[i++] = b.endTable();
        }
        int stringVector = b.createVectorOfTables(stringTables);

        b.startTable(BAG_FIELDS);
        b.addOffset(BAG_INTS, intVector, 0);
        b.addOffset(BAG_FLOATS, floatVector, 0);
        b.addOffset(BAG_STRINGS, stringVector, 0);
        return b.endTable();
    }

    /**
     * Writes the checkpoint to a file atomically: to a temporary file in the same directory, flushed to disk,
     * then renamed over {@code path}. A reader never sees a half-written file.
     *
     * @param path the checkpoint file; missing parent directories are created
     * @throws IOException if writing or renaming fails (the temporary file is removed)
     */
    public void writeTo(Path path) throws IOException {
        writeAtomically(path, toBytes());
    }

    /**
     * Writes bytes to a file atomically (temporary file in the same directory, fsync, atomic rename), through
     * {@link AtomicFiles}, which refuses to replace anything but a regular file.
     *
     * @param path the destination; missing parent directories are created
     * @param bytes the content
     * @throws IOException if writing or renaming fails (the temporary file is removed)
     */
    static void writeAtomically(Path path, byte[] bytes) throws IOException {
        AtomicFiles.write(path, bytes);
    }
}
