/**
 * Writers for ONNX Runtime on-device-training artifacts that need no model knowledge: the optimizer model
 * ({@link org.onnxtoolkit.compiler.artifacts.OptimizerModelWriter}, with
 * {@link org.onnxtoolkit.compiler.artifacts.AdamWSettings}).
 */
package org.onnxtoolkit.compiler.artifacts;
