package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Message shortening, on messages recorded from ORT 1.24 (ort-poc-logs.txt). */
class OrtExceptionTest {

    @Test
    void stripsLocationAndCodePrefix() {
        String full = "orttraining/orttraining/training_api/module.cc:635 onnxruntime::common::Status "
                + "onnxruntime::training::api::Module::TrainStep(const std::vector<OrtValue>&, std::vector<OrtValue>&) "
                + "[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Got invalid dimensions for input: x for the following "
                + "indices\n index: 1 Got: 5 Expected: 4\n Please fix either the inputs/outputs or the model.\n";
        OrtException e = new OrtException("TrainStep with inputs [x: [64, 5]]", 2, full);
        assertEquals("TrainStep with inputs [x: [64, 5]]: Got invalid dimensions for input: x for the following "
                + "indices index: 1 Got: 5 Expected: 4 Please fix either the inputs/outputs or the model.",
                e.getMessage());
        assertEquals(full, e.ortMessage());
        assertEquals("INVALID_ARGUMENT", e.errorCodeName());
    }

    @Test
    void keepsTheTextAfterTheLastCodePrefixAndDropsANestedLocation() {
        String full = "orttraining/orttraining/training_api/module.cc:682 onnxruntime::common::Status "
                + "onnxruntime::training::api::Module::ExportModelForInferencing(const string&, "
                + "gsl::span<const std::__cxx11::basic_string<char> >) const [ONNXRuntimeError] : 1 : FAIL : "
                + "module.cc:81 TransformModelOutputsForInference Expected graph output for inference graph nope "
                + "could not be found. Please regenerate the eval graph.";
        assertEquals("Expected graph output for inference graph nope could not be found. Please regenerate the "
                + "eval graph.", OrtException.shorten(full));
    }

    @Test
    void stripsASimpleLocation() {
        assertEquals("Checkpoint verification failed.",
                OrtException.shorten("checkpoint.cc:867 ToCheckpointState Checkpoint verification failed."));
        assertEquals("Parameter name nope not found in checkpoint state.",
                OrtException.shorten("Parameter name nope not found in checkpoint state."));
        assertEquals("", OrtException.shorten(""));
        assertEquals("code 99", OrtException.codeName(99));
        assertEquals("ctx: ONNX Runtime gave no message", new OrtException("ctx", 1, null).getMessage());
    }

    @Test
    void dropsTheBuildMachinesPathsInsideAKernelsStatus() {
        String full = "Non-zero status code returned while running Reshape node. Name:'decoder/Reshape' Status Message: "
                + "/home/runner/work/javacpp-presets/javacpp-presets/onnxruntime/cppbuild/linux-x86_64/onnxruntime/"
                + "onnxruntime/core/providers/cpu/tensor/reshape_helper.h:39 onnxruntime::ReshapeHelper::ReshapeHelper("
                + "const onnxruntime::TensorShape&, onnxruntime::TensorShapeVector&, bool) size != 0 && "
                + "(input_shape_size % size) == 0 was false. The input tensor cannot be reshaped to the requested shape. "
                + "Input shape:{64,784}, requested shape:{-1,1,29,29}";
        assertEquals("Non-zero status code returned while running Reshape node. Name:'decoder/Reshape' Status Message: "
                + "size != 0 && (input_shape_size % size) == 0 was false. The input tensor cannot be reshaped to the "
                + "requested shape. Input shape:{64,784}, requested shape:{-1,1,29,29}", OrtException.shorten(full));
    }
}
