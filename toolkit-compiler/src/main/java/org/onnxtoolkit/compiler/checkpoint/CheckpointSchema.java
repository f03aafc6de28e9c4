package org.onnxtoolkit.compiler.checkpoint;

/**
 * Constants of ORT's training checkpoint flatbuffer schema ({@code ort_training_checkpoint.fbs} and the
 * {@code Tensor} table of {@code ort.fbs}, namespace {@code onnxruntime.fbs}): the file identifier, the
 * supported version and the vtable slot (field id) of every field we read or write.
 */
final class CheckpointSchema {

    private CheckpointSchema() {}

    /** Bytes 4..7 of every checkpoint file. */
    static final String FILE_IDENTIFIER = "ODTC";
    /** The only {@code Checkpoint.version} ORT 1.24 accepts. */
    static final int VERSION = 2;
    /** {@code TensorDataType.FLOAT}. */
    static final int DATA_TYPE_FLOAT = 1;

    // table Checkpoint
    static final int CHECKPOINT_VERSION = 0;
    static final int CHECKPOINT_MODULE_STATE = 1;
    static final int CHECKPOINT_OPTIMIZER_GROUPS = 2;
    static final int CHECKPOINT_PROPERTY_BAG = 3;
    static final int CHECKPOINT_FIELDS = 4;

    // table ModuleState
    static final int MODULE_REQUIRES_GRAD_PARAMS = 0;
    static final int MODULE_FROZEN_PARAMS = 1;
    static final int MODULE_IS_NOMINAL_STATE = 2;
    static final int MODULE_FIELDS = 3;

    // table Tensor (ort.fbs)
    static final int TENSOR_NAME = 0;
    static final int TENSOR_DOC_STRING = 1;
    static final int TENSOR_DIMS = 2;
    static final int TENSOR_DATA_TYPE = 3;
    static final int TENSOR_RAW_DATA = 4;
    static final int TENSOR_STRING_DATA = 5;
    static final int TENSOR_EXTERNAL_DATA_OFFSET = 6;
    /** We write fields 0..4 only. */
    static final int TENSOR_FIELDS_WRITTEN = 5;

    // table OptimizerGroup
    static final int GROUP_NAME = 0;
    static final int GROUP_STEP = 1;
    static final int GROUP_INITIAL_LEARNING_RATE = 2;
    static final int GROUP_OPTIMIZER_STATES = 3;
    static final int GROUP_FIELDS = 4;

    // table ParameterOptimizerState
    static final int PARAM_STATE_NAME = 0;
    static final int PARAM_STATE_MOMENTUMS = 1;
    static final int PARAM_STATE_FIELDS = 2;

    // table PropertyBag
    static final int BAG_INTS = 0;
    static final int BAG_FLOATS = 1;
    static final int BAG_STRINGS = 2;
    static final int BAG_FIELDS = 3;

    // tables IntProperty, FloatProperty, StringProperty
    static final int PROPERTY_NAME = 0;
    static final int PROPERTY_VALUE = 1;
    static final int PROPERTY_FIELDS = 2;

    /** Raw tensor data vectors are aligned to this many bytes, as ORT's own writer does. */
    static final int RAW_DATA_ALIGNMENT = 16;
}
