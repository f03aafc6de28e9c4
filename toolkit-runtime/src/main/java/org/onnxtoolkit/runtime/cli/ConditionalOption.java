package org.onnxtoolkit.runtime.cli;

import picocli.CommandLine.Option;

/** {@code train --conditional}: condition the model on the dataset's class labels. */
final class ConditionalOption {
    static final String NAME = "--conditional";

    @Option(names = NAME, description = "condition the model on the images' classes (mnist, fashion-mnist, image-folder"
            + " with class subfolders): the one-hot class joins the encoder's and the decoder's input; decoder.onnx"
            + " then takes z and label, and sample --label K draws class K")
    boolean conditional;
}
