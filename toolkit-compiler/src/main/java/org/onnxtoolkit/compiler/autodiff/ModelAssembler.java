package org.onnxtoolkit.compiler.autodiff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.GraphBuildException;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Phase;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.onnx.BatchNormFolding;
import org.onnxtoolkit.compiler.onnx.IrGraph;

/**
 * Turns plugin graphs into the ONNX graphs ONNX Runtime's training API and plain inference sessions
 * expect (docs/artifact-format.md: training, eval and inference models). Stateless.
 */
public final class ModelAssembler {
    /** Name of the mandatory reset flag input of a training model. */
    public static final String LAZY_RESET_GRAD = "lazy_reset_grad";
    /** Prefix of the extra outputs that expose parameter gradients (tests, parity checks). */
    public static final String GRADIENT_OUTPUT_PREFIX = "gradient:";

    private ModelAssembler() {
    }

    /**
     * The training model: inputs are the user inputs, then every parameter (declaration order), then a
     * gradient buffer per trainable parameter, then {@code lazy_reset_grad}, then (with
     * {@code noiseAsInputs}) one input per {@code RandomNormalLike}; outputs are the loss, the other declared
     * outputs, optionally the exposed gradients, then the accumulation flags.
     *
     * @param graph      built with {@link Phase#TRAINING}
     * @param lossOutput name of the declared output that is the scalar loss
     */
    public static IrGraph training(Graph graph, String lossOutput, GradientKernels kernels, boolean exposeGradients,
                                   boolean noiseAsInputs) {
        requirePhase(graph, Phase.TRAINING, "training");
        Value loss = graph.outputs().get(lossOutput);
        if (loss == null) {
            throw new GraphBuildException("the training graph declares no output '" + lossOutput + "' (outputs: "
                    + graph.outputs().keySet() + ")");
        }
        IrGraph ir = new IrGraph();
        addUserInputs(graph, ir);
        addParameterInputs(graph, ir);
        for (Value p : graph.parameters()) {
            if (p.trainable()) {
                ir.addInput(p.name() + "_grad.accumulation.buffer", DataType.FLOAT, p.shape());
            }
        }
        ir.addInput(LAZY_RESET_GRAD, DataType.BOOL, Shape.of(1));

        Lowering lowering = new Lowering(ir, noiseAsInputs);
        lowering.addConstants(graph);
        lowering.addNodes(graph, true);
        Map<String, String> grads = new Autodiff(graph, ir, lowering, kernels).differentiate(loss);

        List<String> flags = new ArrayList<>();
        for (Map.Entry<String, String> g : grads.entrySet()) {
            String flag = g.getKey() + "_grad.accumulation.out";
            ir.addNode(Op.IN_PLACE_ACCUMULATOR_V2, ir.freshNodeName(g.getKey() + "::accumulate"),
                    List.of(g.getKey() + "_grad.accumulation.buffer", g.getValue(), LAZY_RESET_GRAD), List.of(flag),
                    Attributes.NONE);
            flags.add(flag);
        }

        ir.addOutput(loss.name(), loss.type(), loss.shape());
        for (Map.Entry<String, Value> o : graph.outputs().entrySet()) {
            if (!o.getKey().equals(lossOutput)) {
                ir.addOutput(o.getValue().name(), o.getValue().type(), o.getValue().shape());
            }
        }
        if (exposeGradients) {
            for (Map.Entry<String, String> g : grads.entrySet()) {
                String name = GRADIENT_OUTPUT_PREFIX + g.getKey();
                ir.addNode(Op.IDENTITY, name, List.of(g.getValue()), List.of(name),
                        Attributes.NONE);
                ir.addOutput(name, DataType.FLOAT, graph.value(g.getKey()).shape());
            }
        }
        for (String flag : flags) {
            ir.addOutput(flag, DataType.BOOL, Shape.of(1));
        }
        for (String flag : lowering.statUpdateFlags()) {
            ir.addOutput(flag, DataType.BOOL, Shape.of(1));
        }
        return ir;
    }

    /**
     * The eval model: user inputs, then every parameter of {@code trainingGraph} in the same order (ONNX
     * Runtime binds them by position), then the declared outputs.
     *
     * @param graph         built with {@link Phase#INFERENCE}
     * @param trainingGraph the training graph whose parameters this graph must match one-to-one
     */
    public static IrGraph eval(Graph graph, Graph trainingGraph, boolean noiseAsInputs) {
        requirePhase(graph, Phase.INFERENCE, "eval");
        requireSameParameters(graph, trainingGraph);
        IrGraph ir = new IrGraph();
        addUserInputs(graph, ir);
        addParameterInputs(graph, ir);
        Lowering lowering = new Lowering(ir, noiseAsInputs);
        lowering.addConstants(graph);
        lowering.addNodes(graph, false);
        addDeclaredOutputs(graph, ir);
        return ir;
    }

    /**
     * A plain inference model: the parameters become initializers holding {@code parameterValues}; only
     * the parameters the outputs need are kept. A BatchNormalization that follows a convolution is folded into
     * the convolution's weights and bias ({@link BatchNormFolding}).
     *
     * @param parameterValues row-major values by parameter name, each of exactly the parameter's size
     */
    public static IrGraph inference(Graph graph, Map<String, float[]> parameterValues) {
        requirePhase(graph, Phase.INFERENCE, "inference");
        IrGraph ir = new IrGraph();
        addUserInputs(graph, ir);
        for (Value p : graph.parameters()) {
            float[] data = parameterValues.get(p.name());
            if (data == null) {
                throw new IllegalArgumentException("no value for parameter '" + p.name() + "'");
            }
            if (data.length != p.shape().elementCount()) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' has shape " + p.shape() + " ("
                        + p.shape().elementCount() + " values) but " + data.length + " values were given");
            }
            ir.addFloatInitializer(p.name(), data, p.shape());
        }
        Lowering lowering = new Lowering(ir, false);
        lowering.addConstants(graph);
        lowering.addNodes(graph, false);
        addDeclaredOutputs(graph, ir);
        return BatchNormFolding.fold(ir);
    }

    /** Like {@link #inference} but with every parameter as a graph input after the user inputs. */
    public static IrGraph forwardWithParameterInputs(Graph graph) {
        IrGraph ir = new IrGraph();
        addUserInputs(graph, ir);
        addParameterInputs(graph, ir);
        Lowering lowering = new Lowering(ir, false);
        lowering.addConstants(graph);
        lowering.addNodes(graph, false);
        addDeclaredOutputs(graph, ir);
        return ir;
    }

    private static void addUserInputs(Graph graph, IrGraph ir) {
        for (Value in : graph.inputs()) {
            ir.addInput(in.name(), in.type(), in.shape());
        }
    }

    private static void addParameterInputs(Graph graph, IrGraph ir) {
        for (Value p : graph.parameters()) {
            ir.addInput(p.name(), DataType.FLOAT, p.shape());
        }
    }

    private static void addDeclaredOutputs(Graph graph, IrGraph ir) {
        if (graph.outputs().isEmpty()) {
            throw new GraphBuildException("the graph declares no outputs");
        }
        for (Value o : graph.outputs().values()) {
            ir.addOutput(o.name(), o.type(), o.shape());
        }
    }

    private static void requirePhase(Graph graph, Phase phase, String what) {
        if (graph.phase() != phase) {
            throw new GraphBuildException("the " + what + " graph must be built with Phase." + phase + ", got Phase."
                    + graph.phase());
        }
    }

    /** Parameters must agree in name, shape, trainability and order (ORT binds eval parameters by position). */
    static void requireSameParameters(Graph a, Graph b) {
        Map<String, Value> pa = new LinkedHashMap<>();
        a.parameters().forEach(p -> pa.put(p.name(), p));
        List<Value> la = a.parameters();
        List<Value> lb = b.parameters();
        for (int i = 0; i < Math.max(la.size(), lb.size()); i++) {
            Value x = i < la.size() ? la.get(i) : null;
            Value y = i < lb.size() ? lb.get(i) : null;
            if (x == null || y == null || !x.name().equals(y.name()) || !x.shape().equals(y.shape())
                    || x.trainable() != y.trainable()) {
                throw new GraphBuildException("the eval and training graphs must declare the same parameters in the"
                        + " same order; they differ at position " + i + ": " + describe(x) + " vs " + describe(y));
            }
        }
    }

    private static String describe(Value p) {
        return p == null ? "(none)" : p + (p.trainable() ? "" : " (frozen)");
    }
}
