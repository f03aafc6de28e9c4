/**
 * ONNX Runtime training and inference over the JavaCPP low-level C API ({@code org.bytedeco.onnxruntime.OrtApi}
 * and {@code OrtTrainingApi}).
 *
 * <p>{@link org.onnxtoolkit.engine.ort.TrainingSession} and {@link org.onnxtoolkit.engine.ort.InferenceSession}
 * are the entry points; each owns its native handles and is closed with try-with-resources. Both take their
 * inputs as a map from input name to {@link org.onnxtoolkit.engine.ort.Tensor} and return
 * {@link org.onnxtoolkit.engine.ort.Outputs} indexed by output name; inputs are checked by name and element
 * type against the model before anything reaches ORT. Data crosses the boundary as immutable tensors of
 * float32, int64, int32, uint8 or bool ({@link org.onnxtoolkit.engine.ort.ElementType}); native values live only
 * inside a call. Failures of ORT calls are {@link org.onnxtoolkit.engine.ort.OrtException}s whose message says
 * what we were doing and why ORT refused. {@link org.onnxtoolkit.engine.ort.Ort} holds the process-wide
 * environment.
 *
 * <p>The sessions cover what training and serving a model need; they are not a complete binding of ORT's
 * training API (see {@link org.onnxtoolkit.engine.ort.TrainingSession} for what is left out and why).
 */
package org.onnxtoolkit.engine.ort;
