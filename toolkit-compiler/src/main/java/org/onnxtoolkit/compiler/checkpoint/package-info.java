/**
 * ONNX Runtime's training checkpoint file: a flatbuffer with identifier {@code "ODTC"} and version 2,
 * written by {@link org.onnxtoolkit.compiler.checkpoint.CheckpointWriter} (initial checkpoints) and read by
 * {@link org.onnxtoolkit.compiler.checkpoint.CheckpointReader} (ours and ORT-saved ones, with optimizer state).
 * Pure Java; no native code.
 */
package org.onnxtoolkit.compiler.checkpoint;
