package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Out-of-memory recognition on messages shaped like ORT's CUDA and CPU failures (no GPU needed). */
class OutOfMemoryTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "/onnxruntime/core/framework/bfc_arena.cc:359 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool,"
                + " onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested"
                + " buffer of size 1073741824",
        "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : CUDA failure 2: out of memory ; GPU=0 ; hostname=h ;"
                + " file=/onnxruntime/core/providers/cuda/cuda_allocator.cc ; line=50 ; expr=cudaMalloc((void**)&p, size);",
        "CUDA error cudaErrorMemoryAllocation:out of memory",
        "Non-zero status code returned while running Conv node. Name:'encoder/block1/conv/Conv' Status Message:"
                + " /onnxruntime/core/framework/bfc_arena.cc:358 void* onnxruntime::BFCArena::AllocateRawInternal(size_t,"
                + " bool, onnxruntime::Stream*) Available memory of 0 is smaller than requested bytes of 268435456",
        "CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0 ; expr=cublasCreate(&cublas_handle_);",
        "CUDNN failure 4: CUDNN_STATUS_ALLOC_FAILED ; GPU=0",
        "CUDA out of memory. Tried to allocate 2.00 GiB",
        "std::bad_alloc"})
    void recognisesOutOfMemory(String ortMessage) {
        OrtException e = new OrtException("TrainStep with inputs [x: [4096, 1, 28, 28]]", 6, ortMessage);
        assertTrue(OutOfMemory.isOutOfMemory(e), ortMessage);
        assertTrue(OutOfMemory.isOutOfMemory(new IllegalStateException("wrapped", e)), "found in the cause chain");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Got invalid dimensions for input: x for the following indices index: 1 Got: 5 Expected: 4",
        "CUDA failure 700: an illegal memory access was encountered ; GPU=0",
        "Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared"
                + " object file: No such file or directory",
        ""})
    void otherFailuresAreNotOutOfMemory(String ortMessage) {
        assertFalse(OutOfMemory.isOutOfMemory(new OrtException("TrainStep", 1, ortMessage)), ortMessage);
    }

    @Test
    void onlyOrtFailuresCount() {
        assertFalse(OutOfMemory.isOutOfMemory(new IllegalStateException("out of memory")));
        assertFalse(OutOfMemory.isOutOfMemory(null));
    }

    @Test
    void adviceNamesTheDeviceAndTheBatchSize() {
        assertEquals("cuda:0 ran out of memory in a training step at batch size 1024: use a smaller --batch-size"
                + " (for example 512)", OutOfMemory.advice(Device.cuda(0), "a training step", 1024, "--batch-size",
                null));
        assertEquals("ONNX Runtime (cpu) ran out of memory in decoding at batch size 4096: use a smaller"
                + " --decoder-batch (for example 2048)", OutOfMemory.advice(Device.cpu(), "decoding", 4096,
                "--decoder-batch", null));
        assertEquals("cuda:1 ran out of memory in a training step at batch size 1: the model does not fit on this device"
                + " even one image at a time; use a smaller model or --device cpu",
                OutOfMemory.advice(Device.cuda(1), "a training step", 1, "--batch-size", null));
    }

    /** The message an H200 gave for the vanilla preset at batch 65536 (2026-12-04), cut at the file name. */
    private static final String CUDNN_LIMIT = "Non-zero status code returned while running Conv node."
            + " Name:'encoder/block1/conv/Conv' Status Message: CUDNN failure 3000: CUDNN_STATUS_NOT_SUPPORTED ;"
            + " GPU=0 ; hostname=vm ; file=cudnn_common.cc ; line=82 ; expr=cudnnSetTensorNdDescriptor(tensor_,"
            + " dataType, static_cast<int>(rank), dims.data(), strides.data());";

    @Test
    void aTensorBeyondCudnnsLimitIsABatchThatDoesNotFit() {
        OrtException e = new OrtException("TrainStep with inputs [x: float32[65536, 3, 64, 64]]", 1, CUDNN_LIMIT);
        assertTrue(OutOfMemory.isBeyondCudnnLimit(e));
        assertTrue(OutOfMemory.isOutOfMemory(e), "the same cure: a smaller batch");
        assertEquals("cuda:0 cannot run a training step at batch size 65536: one of its tensors passes cuDNN's"
                + " limit of 2^31 elements; use a smaller --batch-size (for example 32768)",
                OutOfMemory.advice(Device.cuda(0), "a training step", 65536, "--batch-size", e));
        assertEquals("cuda:0 ran out of memory in a training step at batch size 1024: use a smaller --batch-size"
                + " (for example 512)", OutOfMemory.advice(Device.cuda(0), "a training step", 1024, "--batch-size",
                new OrtException("TrainStep", 6, "CUDA failure 2: out of memory")));
    }

    @Test
    void otherUnsupportedCudnnCallsAreNotTheLimit() {
        OrtException e = new OrtException("TrainStep", 1,
                "CUDNN failure 3000: CUDNN_STATUS_NOT_SUPPORTED ; GPU=0 ; expr=cudnnConvolutionForward(...)");
        assertFalse(OutOfMemory.isBeyondCudnnLimit(e));
        assertFalse(OutOfMemory.isOutOfMemory(e));
    }
}
