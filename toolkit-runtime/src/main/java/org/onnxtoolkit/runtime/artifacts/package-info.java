/**
 * Writers for ONNX Runtime on-device-training artifacts that need no model knowledge: the optimizer model
 * ({@link org.onnxtoolkit.runtime.artifacts.OptimizerModelWriter}, with
 * {@link org.onnxtoolkit.runtime.artifacts.AdamWSettings}).
 */
package org.onnxtoolkit.runtime.artifacts;
