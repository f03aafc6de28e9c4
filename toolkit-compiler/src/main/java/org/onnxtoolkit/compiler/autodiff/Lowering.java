package org.onnxtoolkit.compiler.autodiff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onnxtoolkit.api.graph.Attributes;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.GraphBuildException;
import org.onnxtoolkit.api.graph.Node;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.onnx.IrGraph;

/**
 * Copies the forward nodes of a plugin's {@link Graph} into an {@link IrGraph}. Every operation maps to its
 * ONNX node one-to-one, except Softplus (decomposed, see {@link #lowerSoftplus}), the binary cross-entropy from
 * logits {@code softplus(l) - t l} (found by {@link BceWithLogits}, lowered as one unit, see {@link #lowerBce}),
 * RandomNormalLike when noise is fed as an input, and batch normalisation in training form, which becomes ONNX Runtime's
 * {@code BatchNormInternal} (it also returns the saved mean and inverse standard deviation that the
 * backward pass needs) followed by in-place updates of the running statistics (docs/artifact-format.md, training model):
 *
 * <pre>
 * running_mean = momentum * running_mean + (1 - momentum) * batch_mean
 * running_var  = momentum * running_var  + (1 - momentum) * batch_var * n / (n - 1)
 * </pre>
 *
 * where {@code n = N*H*W}: the variance is the unbiased one, as in PyTorch ({@code BatchNormInternal}'s
 * own running variance is biased, and is corrected here). {@code BatchNormInternal} writes its running
 * statistics into its input buffers, so no other node may read those inputs. Each update is an {@code InPlaceAccumulatorV2} in overwrite mode whose
 * flag output is hidden from TrainStep by its {@code _grad.accumulation.out} suffix.
 */
final class Lowering {
    /**
     * A binary cross-entropy from logits lowered as one unit: the match, and {@code p = sigmoid(l)}, which the
     * forward pass computes and the gradient rule reads.
     */
    record FusedBce(BceWithLogits.Match match, String sigmoid) {
    }

    /** Side outputs of a training-form batch normalisation, for its gradient rule. */
    record BatchNormSaved(String savedMean, String savedInvStd) {
    }

    private final IrGraph ir;
    private final boolean noiseAsInputs;
    private final List<Value> noiseInputs = new ArrayList<>();
    private final Map<Node, BatchNormSaved> batchNormSaved = new HashMap<>();
    private final Map<Node, String> sideOutputs = new HashMap<>();
    private final List<String> statUpdateFlags = new ArrayList<>();
    private final Map<Node, FusedBce> fusedBce = new HashMap<>();
    private String constTrue;
    private String trueScalar;

    /**
     * @param noiseAsInputs when true, every {@code RandomNormalLike} becomes a graph input of the same name
     *                      and shape that the caller feeds with standard normal noise; this makes runs
     *                      reproducible step by step (and resumable mid-epoch) and lets tests feed known
     *                      noise
     */
    Lowering(IrGraph ir, boolean noiseAsInputs) {
        this.ir = ir;
        this.noiseAsInputs = noiseAsInputs;
    }

    /** Adds the graph's constants as initializers. */
    void addConstants(Graph graph) {
        for (Value c : graph.constants()) {
            if (c.type() == DataType.FLOAT) {
                ir.addFloatInitializer(c.name(), c.floatData(), c.shape());
            } else {
                ir.addLongInitializer(c.name(), c.longData(), c.shape());
            }
        }
    }

    /**
     * Adds every node of {@code graph}.
     *
     * @param trainingGraph true for the training model; batch normalisation in training form is allowed
     *                      only there
     */
    void addNodes(Graph graph, boolean trainingGraph) {
        Map<Node, BceWithLogits.Match> bce = BceWithLogits.find(graph);
        Set<Node> absorbed = BceWithLogits.absorbed(bce);
        for (Node n : graph.nodes()) {
            if (absorbed.contains(n)) {
                continue;
            }
            if (bce.containsKey(n)) {
                lowerBce(bce.get(n));
            } else if (n.op() == Op.BATCH_NORMALIZATION && n.attributes().getInt("training_mode", 0) == 1) {
                if (!trainingGraph) {
                    throw new GraphBuildException(n + ": batch normalisation in training form can only be used in a"
                            + " training graph; build eval and export graphs with Phase.INFERENCE");
                }
                lowerTrainingBatchNorm(n);
            } else if (n.op() == Op.MAX_POOL && trainingGraph) {
                String indices = ir.freshName(n.output().name() + "::indices");
                ir.addNode(Op.MAX_POOL, n.name(), names(n.inputs()), List.of(n.output().name(), indices),
                        n.attributes());
                sideOutputs.put(n, indices);
            } else if (n.op() == Op.DROPOUT && trainingGraph) {
                String mask = ir.freshName(n.output().name() + "::mask");
                ir.addNode(Op.DROPOUT, n.name(), List.of(n.input(0).name(), n.input(1).name(), trueScalar()),
                        List.of(n.output().name(), mask), n.attributes());
                sideOutputs.put(n, mask);
            } else if (n.op() == Op.SOFTPLUS) {
                lowerSoftplus(n);
            } else if (n.op() == Op.RANDOM_NORMAL_LIKE && noiseAsInputs) {
                ir.addInput(n.output().name(), DataType.FLOAT, n.output().shape());
                noiseInputs.add(n.output());
            } else if (n.op() == Op.BATCH_NORMALIZATION) {
                Attributes attrs = Attributes.builder().put("epsilon", n.attributes().getFloat("epsilon", 1e-5f))
                        .put("momentum", n.attributes().getFloat("momentum", 0.9f)).build();
                ir.addNode(Op.BATCH_NORMALIZATION, n.name(), names(n.inputs()),
                        List.of(n.output().name()), attrs);
            } else {
                ir.addNode(n.op(), n.name(), names(n.inputs()),
                        names(n.outputs()), n.attributes());
            }
        }
    }

    /**
     * {@code softplus(x) = relu(x) + log(1 + exp(-|x|))}, with {@code -|x| = x - 2 relu(x)}: stable for any
     * {@code x}, and several times faster than ONNX Runtime's scalar CPU Softplus kernel (measured: 3.8 ms of
     * an 8 ms MLP-VAE training step went to Softplus over a [128, 784] batch). Absolute error at most
     * {@code 6e-8}, where {@code log(1 + t)} rounds a tiny {@code t}.
     */
    private void lowerSoftplus(Node n) {
        Emitter e = new Emitter(ir, n.name());
        String x = n.input(0).name();
        String r = e.node(Op.RELU, List.of(x));
        String negAbs = e.node(Op.SUB, List.of(x, e.node(Op.ADD, List.of(r, r))));
        String log = e.node(Op.LOG, List.of(e.node(Op.ADD, List.of(e.node(Op.EXP, List.of(negAbs)), e.scalar(1f)))));
        ir.addNode(Op.ADD, n.name(), List.of(r, log), List.of(n.output().name()), Attributes.NONE);
    }

    /**
     * {@code softplus(l) - t l} with {@code softplus(l) = relu(l) - log(max(p, 1 - p))}, {@code p = sigmoid(l)}:
     * for {@code l >= 0}, {@code -log p = log(1 + exp(-l))}; for {@code l < 0}, {@code -log(1 - p) = log(1 + exp(l))}.
     * The logarithm's argument {@code q = max(p, 1 - p)} lies in {@code [0.5, 1]}, so the form is as stable as
     * {@link #lowerSoftplus}'s (absolute error of the order of float rounding at 1, about {@code 6e-8}), and
     * {@code p} is what the gradient rule needs. Eight element-wise nodes.
     *
     * <p>With a per-image sum in the match, the sum of {@code log q} over an image is taken as the sum of the
     * logarithms of products of {@link BceWithLogits#productChunk} factors each: ONNX Runtime's element-wise
     * {@code Log} runs on one thread and was the most expensive node of the form (0.11 ms of the MLP VAE's step),
     * while {@code ReduceProd} is a vectorised pass. A product of at most 100 factors of {@code [0.5, 1]} stays a
     * normal float; each factor adds a relative rounding error of at most {@code 6e-8}, so an image's sum moves by
     * at most about {@code 6e-6} per product, far below the rounding of the float sum over its pixels.
     */
    private void lowerBce(BceWithLogits.Match m) {
        Node n = m.sub();
        Emitter e = new Emitter(ir, n.name());
        String l = m.logits().name();
        String p = e.node(Op.SIGMOID, List.of(l));
        String larger = e.node(Op.MAX, List.of(p, e.node(Op.SUB, List.of(e.scalar(1f), p))));
        String linear = e.node(Op.SUB, List.of(e.node(Op.RELU, List.of(l)),
                e.node(Op.MUL, List.of(m.target().name(), l))));
        fusedBce.put(n, new FusedBce(m, p));
        Node sum = m.perImageSum();
        if (sum == null) {
            ir.addNode(Op.SUB, n.name(), List.of(linear, e.node(Op.LOG, List.of(larger))),
                    List.of(n.output().name()), Attributes.NONE);
            return;
        }
        long perImage = BceWithLogits.perImageCount(n.output().shape());
        int chunk = BceWithLogits.productChunk(perImage);
        Attributes dropAxes = Attributes.builder().put("keepdims", 0L).build();
        String linearSum = e.node(Op.REDUCE_SUM, List.of(linear, e.ints(sum.input(1).longData())), dropAxes);
        // [N, ...] -> [N, perImage / chunk, chunk] (0 keeps the batch dimension)
        String products = e.node(Op.REDUCE_PROD, List.of(e.node(Op.RESHAPE, List.of(larger,
                e.ints(0, perImage / chunk, chunk)))),
                Attributes.builder().put("axes", new long[] {2}).put("keepdims", 0L).build());
        String logSum = e.node(Op.REDUCE_SUM, List.of(e.node(Op.LOG, List.of(products)), e.ints(1)), dropAxes);
        String out = sum.output().name();
        if (sum.attributes().getInt("keepdims", 1) == 1) {
            long[] kept = new long[n.output().rank()];
            Arrays.fill(kept, 1);
            kept[0] = 0;
            ir.addNode(Op.RESHAPE, sum.name(), List.of(e.node(Op.SUB, List.of(linearSum, logSum)), e.ints(kept)),
                    List.of(out), Attributes.NONE);
        } else {
            ir.addNode(Op.SUB, sum.name(), List.of(linearSum, logSum), List.of(out), Attributes.NONE);
        }
    }

    private void lowerTrainingBatchNorm(Node n) {
        String y = n.output().name();
        Value x = n.input(0);
        Value runningMean = n.input(3);
        float epsilon = n.attributes().getFloat("epsilon", 1e-5f);
        float momentum = n.attributes().getFloat("momentum", 0.9f);
        String newMean = ir.freshName(y + "::running_mean");
        String ortVar = ir.freshName(y + "::ort_running_var");
        String savedMean = ir.freshName(y + "::saved_mean");
        String savedInvStd = ir.freshName(y + "::saved_inv_std");
        ir.addNode(Op.BATCH_NORM_INTERNAL, n.name(), names(n.inputs()),
                List.of(y, newMean, ortVar, savedMean, savedInvStd),
                Attributes.builder().put("epsilon", epsilon).put("momentum", momentum).put("training_mode", 1L)
                        .build());
        batchNormSaved.put(n, new BatchNormSaved(savedMean, savedInvStd));

        // BatchNormInternal updates the running variance with the biased batch variance vb, and may write its
        // running-statistics outputs into the input buffers, so the input must not be read again here.
        // PyTorch uses the unbiased variance vb * n / (n - 1); the difference is (1 - momentum) * vb / (n - 1):
        //   running_var = ort_running_var + (1 - momentum) * vb / (n - 1),  vb = 1 / inv_std^2 - eps,
        // with n = size(X) / C elements per channel.
        Emitter e = new Emitter(ir, y + "::stats");
        String invStdSq = e.node(Op.MUL, List.of(savedInvStd, savedInvStd));
        String batchVar = e.node(Op.SUB, List.of(e.node(Op.RECIPROCAL, List.of(invStdSq)), e.scalar(epsilon)));
        String count = e.node(Op.DIV, List.of(e.cast(e.node(Op.SIZE, List.of(x.name())), DataType.FLOAT),
                e.scalar((float) x.shape().dim(1))));
        String correction = e.node(Op.MUL, List.of(e.node(Op.DIV, List.of(batchVar, e.node(Op.SUB, List.of(count,
                e.scalar(1f))))), e.scalar(1f - momentum)));
        String newVar = e.node(Op.ADD, List.of(ortVar, correction));

        overwriteInPlace(runningMean.name(), newMean);
        overwriteInPlace(n.input(4).name(), newVar);
    }

    /** A boolean {@code true} scalar (Dropout's {@code training_mode}), added when first needed. */
    private String trueScalar() {
        if (trueScalar == null) {
            trueScalar = ir.freshName("toolkit::training_mode");
            ir.addBoolInitializer(trueScalar, new boolean[] {true}, Shape.SCALAR);
        }
        return trueScalar;
    }

    /** The one boolean {@code true} initializer of the graph, added when first needed. */
    private String trueConstant() {
        if (constTrue == null) {
            constTrue = ir.freshName("toolkit::true");
            ir.addBoolInitializer(constTrue, new boolean[] {true}, Shape.of(1));
        }
        return constTrue;
    }

    private void overwriteInPlace(String frozenParameter, String newValue) {
        trueConstant();
        String flag = frozenParameter + "_grad.accumulation.out";
        ir.addNode(Op.IN_PLACE_ACCUMULATOR_V2, ir.freshNodeName(frozenParameter + "::update"),
                List.of(frozenParameter, newValue, constTrue), List.of(flag), Attributes.NONE);
        statUpdateFlags.add(flag);
    }

    /** The noise values turned into graph inputs, in graph order. */
    List<Value> noiseInputs() {
        return noiseInputs;
    }

    /**
     * Second outputs that lowering adds in training graphs for the gradient rules: a MaxPool's {@code Indices}
     * (int64, flat indices into its input) and a Dropout's {@code mask} (bool).
     */
    Map<Node, String> sideOutputs() {
        return sideOutputs;
    }

    /** The binary cross-entropies lowered as one unit, by their {@code Sub} node. */
    Map<Node, FusedBce> fusedBce() {
        return fusedBce;
    }

    Map<Node, BatchNormSaved> batchNormSaved() {
        return batchNormSaved;
    }

    /** Flag outputs of the running-statistics updates; they must become graph outputs (bool[1]). */
    List<String> statUpdateFlags() {
        return statUpdateFlags;
    }

    static List<String> names(List<Value> values) {
        List<String> out = new ArrayList<>(values.size());
        for (Value v : values) {
            out.add(v.name());
        }
        return out;
    }
}
