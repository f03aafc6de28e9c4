/**
 * ONNX Runtime training and inference over the JavaCPP low-level C API ({@code org.bytedeco.onnxruntime.OrtApi}
 * and {@code OrtTrainingApi}).
 *
 * <p>{@link org.onnxtoolkit.engine.ort.TrainingSession} and {@link org.onnxtoolkit.engine.ort.InferenceSession}
 * are the entry points; each owns its native handles and is closed with try-with-resources. Data crosses the
 * boundary as immutable float32 {@link org.onnxtoolkit.engine.ort.Tensor}s; native values live only inside a
 * call. Failures of ORT calls are {@link org.onnxtoolkit.engine.ort.OrtException}s whose message says what we
 * were doing and why ORT refused. {@link org.onnxtoolkit.engine.ort.Ort} holds the process-wide environment.
 */
package org.onnxtoolkit.engine.ort;
