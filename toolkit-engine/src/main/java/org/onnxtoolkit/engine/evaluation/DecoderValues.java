package org.onnxtoolkit.engine.evaluation;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.onnxtoolkit.compiler.model.ModelGraphs;

/**
 * A toolkit-exported {@code decoder.onnx} with one more output: the decoder's values before they become the
 * image in [0, 1], which the likelihood of the run's objective needs (the logits of a sigmoid output, whose
 * probabilities saturate at 1 in float; the output of a ReLU or no activation before it is clamped to [0, 1];
 * the output of a tanh before it is mapped by {@code (y + 1) / 2}).
 *
 * <p>The exported graphs end in one of the forms {@code ModelGraphs} writes (through {@code Identity} nodes):
 * {@code Sigmoid(logits)}; {@code Mul(Add(Tanh(..), 1), 0.5)}; {@code Sub(1, Relu(Sub(1, Relu(y))))}. The model
 * is otherwise unchanged: the new output names an existing tensor.
 *
 * @param model      the model's bytes, with the extra output
 * @param output     the name of the output to read
 * @param activation the final activation found: {@code sigmoid}, {@code tanh} or {@code relu} (ReLU or none)
 */
public record DecoderValues(byte[] model, String output, String activation) {
    public static final String SIGMOID = "sigmoid";
    public static final String TANH = "tanh";
    public static final String RELU = "relu";

    /**
     * Adds the output {@code which} asks for to a decoder read from {@code file}.
     *
     * @param file    where the decoder was read from, for messages
     *
     * @throws IOException if the graph does not end in a form the toolkit writes, or it has no sigmoid output
     *                     when the logits are asked for
     */
    public static DecoderValues of(Path file, OnnxMl.ModelProto decoder, ObservationModel.DecoderValue which)
            throws IOException {
        OnnxMl.GraphProto g = decoder.getGraph();
        Map<String, OnnxMl.NodeProto> producers = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
        }
        OnnxMl.NodeProto last = producer(producers, ModelGraphs.IMAGE);
        String activation;
        String logits = null;
        String output;
        if (is(last, "Sigmoid")) {
            activation = SIGMOID;
            logits = last.getInput(0);
            output = last.getOutput(0);
        } else if (is(last, "Mul") && inputFrom(producers, last, "Add") != null
                && inputFrom(producers, inputFrom(producers, last, "Add"), "Tanh") != null) {
            activation = TANH;
            output = inputFrom(producers, inputFrom(producers, last, "Add"), "Tanh").getOutput(0);
        } else if (is(last, "Sub") && inputFrom(producers, last, "Relu") != null
                && inputFrom(producers, inputFrom(producers, last, "Relu"), "Sub") != null
                && inputFrom(producers, inputFrom(producers, inputFrom(producers, last, "Relu"), "Sub"), "Relu") != null) {
            activation = RELU;
            output = inputFrom(producers, inputFrom(producers, inputFrom(producers, last, "Relu"), "Sub"), "Relu")
                    .getInput(0);
        } else {
            throw new IOException(file + " does not end as the toolkit's decoders do (sigmoid, tanh mapped to [0, 1],"
                    + " or a clamp); evaluate needs a decoder exported by the toolkit");
        }
        String wanted = which == ObservationModel.DecoderValue.LOGITS ? logits : output;
        if (wanted == null) {
            throw new IOException(file + " has a " + activation + " output, but the run's objective needs the logits of"
                    + " a sigmoid output");
        }
        if (g.getOutputList().stream().anyMatch(o -> o.getName().equals(wanted))) {
            return new DecoderValues(decoder.toByteArray(), wanted, activation);
        }
        OnnxMl.ValueInfoProto extra = g.getOutput(0).toBuilder().setName(wanted).build();
        OnnxMl.ModelProto tapped = decoder.toBuilder().setGraph(g.toBuilder().addOutput(extra)).build();
        return new DecoderValues(tapped.toByteArray(), wanted, activation);
    }

    private static boolean is(OnnxMl.NodeProto n, String op) {
        return n != null && n.getOpType().equals(op) && n.getDomain().isEmpty();
    }

    /** The node that produces {@code name}, looking through Identity nodes; null for a graph input or initializer. */
    private static OnnxMl.NodeProto producer(Map<String, OnnxMl.NodeProto> producers, String name) {
        OnnxMl.NodeProto n = producers.get(name);
        while (n != null && n.getOpType().equals("Identity")) {
            n = producers.get(n.getInput(0));
        }
        return n;
    }

    /** The producer of one of {@code n}'s inputs whose operator is {@code op}, or null. */
    private static OnnxMl.NodeProto inputFrom(Map<String, OnnxMl.NodeProto> producers, OnnxMl.NodeProto n, String op) {
        if (n == null) {
            return null;
        }
        for (String in : n.getInputList()) {
            OnnxMl.NodeProto p = producer(producers, in);
            if (is(p, op)) {
                return p;
            }
        }
        return null;
    }
}
