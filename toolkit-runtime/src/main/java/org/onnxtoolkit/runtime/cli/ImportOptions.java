package org.onnxtoolkit.runtime.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of {@code artifacts} that import an ONNX model ({@code --model} and what goes with it) or inspect
 * an artifact set ({@code --inspect}); see {@link ImportedArtifacts} for what they do.
 */
final class ImportOptions {
    @Option(names = "--model", paramLabel = "M.onnx",
            description = "import this ONNX model (opset 13-17, as torch.onnx.export writes it) instead of --arch")
    Path model;

    @Option(names = "--loss", paramLabel = "LOSS[:OUTPUT]",
            description = "with --model: mse, bce-logits or cross-entropy (int64 class labels), on the model output"
                    + " OUTPUT (default: its first output)")
    String loss;

    @Option(names = "--target", paramLabel = "NAME", defaultValue = "target",
            description = "with --model: the name of the input that feeds the loss's target (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--frozen", paramLabel = "REGEX",
            description = "with --model: initializers whose ONNX name contains a match stay fixed (for example"
                    + " '^features\\.' or 'bn|bias')")
    String frozen;

    @Option(names = "--optimizer", paramLabel = "adamw|sgd", defaultValue = "adamw",
            description = "with --model: PyTorch's Adam (weight decay 0) or plain SGD (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.001",
            description = "with --model: the learning rate the README and checkpoint record (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--inspect", paramLabel = "DIR",
            description = "print the inputs, outputs and parameters of the training artifacts in DIR (ours or ORT's)")
    Path inspect;

    /** True when any option of this group was given, so that the command imports or inspects. */
    boolean active() {
        return model != null || inspect != null;
    }
}
