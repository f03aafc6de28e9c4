package org.onnxtoolkit.api.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;

/**
 * Imports ONNX models (as {@code torch.onnx.export} writes them, opset 13 to 17) into a plugin's graphs, so an
 * architecture can train a model designed elsewhere. The runtime provides it: a plugin bean declares
 * {@code @Inject ModelImporter importer;}. The model's float initializers become parameters that start from the
 * model's values; the supported operators are those of the toolkit's {@code artifacts --model}. Thread-safe.
 */
public interface ModelImporter {
    /**
     * Reads and checks a model.
     *
     * @throws IllegalArgumentException         when the file does not exist (what the user typed is wrong)
     * @throws java.io.UncheckedIOException      with a one-line message naming the file and what is wrong inside
     *                                           it (damaged, unsupported operators, dynamic dimensions other than
     *                                           the batch), or when it is not a regular file
     */
    Model read(Path file);

    /** A model read by {@link #read}; immutable, usable for several graphs. */
    interface Model {
        /** The graph input names, in the model's order. */
        List<String> inputs();

        /** The shape of an input ({@link Shape#BATCH} for the dynamic first axis). */
        Shape inputShape(String input);

        /** The graph output names, in the model's order. */
        List<String> outputs();

        /**
         * Adds the model to {@code g} in its current scope; parameters are named after the initializers
         * (characters the builder does not allow become {@code _}).
         *
         * @param inputs a value of {@code g} for every input, by name
         * @param frozen which initializers (by ONNX name) are not trained
         * @return the outputs by name, in the model's order
         * @throws java.io.UncheckedIOException when a node does not fit the given inputs
         */
        Map<String, Value> addTo(Graph g, Map<String, Value> inputs, Predicate<String> frozen);
    }
}
