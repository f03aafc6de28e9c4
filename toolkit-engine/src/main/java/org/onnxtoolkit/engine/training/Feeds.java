package org.onnxtoolkit.engine.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.onnxtoolkit.api.events.Evaluation;
import org.onnxtoolkit.compiler.artifacts.Manifest;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.Outputs;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * The inputs a VAE's training and eval models take, and the outputs the trainer reads: images {@code x},
 * the class labels {@code label} of a class-conditional model, the KL weight, and standard normal noise for every noise input the manifest declares (drawn from the
 * given stream in the model's input order, so that a resumed run draws what the uninterrupted one would
 * have).
 */
final class Feeds {
    private static final List<String> TRAIN_OUTPUTS = List.of(ModelGraphs.LOSS, ModelGraphs.NEG_ELBO);
    private static final List<String> EVAL_OUTPUTS = List.of(ModelGraphs.LOSS, ModelGraphs.RECON, ModelGraphs.KL,
            ModelGraphs.NEG_ELBO);

    private final List<Manifest.TensorEntry> trainInputs;
    private final List<Manifest.TensorEntry> evalInputs;
    /** Whether the training model outputs the two terms of the negative ELBO (models built by ModelGraphs do). */
    private final boolean trainTerms;

    Feeds(TrainingSession session, Manifest manifest) {
        trainInputs = ordered(session.trainingInputNames(), manifest.trainingInputs());
        evalInputs = ordered(session.evalInputNames(), manifest.evalInputs());
        requireOutputs(session.trainingOutputNames(), TRAIN_OUTPUTS);
        requireOutputs(session.evalOutputNames(), EVAL_OUTPUTS);
        trainTerms = session.trainingOutputNames().containsAll(List.of(ModelGraphs.RECON, ModelGraphs.KL));
    }

    /**
     * The loss, negative ELBO and its terms of a training step, per image (batch means); the terms are NaN when
     * the training model does not output them.
     */
    record StepOutputs(double loss, double negElbo, double recon, double kl) {
    }

    /** Whether the models take the images' class labels ({@value ModelGraphs#LABEL}). */
    boolean takesLabels() {
        return trainInputs.stream().anyMatch(e -> e.name().equals(ModelGraphs.LABEL));
    }

    /**
     * Runs one training step (gradients accumulated; the caller resets and applies them).
     *
     * @param labels the images' class labels {@code [N]} int64 when {@link #takesLabels()}, else null
     */
    StepOutputs trainStep(TrainingSession session, Tensor x, Tensor labels, float klWeight, SplittableRandom noise) {
        Outputs out = session.trainStep(build(trainInputs, x, labels, klWeight, noise));
        return new StepOutputs(out.get(ModelGraphs.LOSS).item(), out.get(ModelGraphs.NEG_ELBO).item(),
                trainTerms ? out.get(ModelGraphs.RECON).item() : Double.NaN,
                trainTerms ? out.get(ModelGraphs.KL).item() : Double.NaN);
    }

    /** Evaluates one batch; the values are batch means. */
    Evaluation evalStep(TrainingSession session, Tensor x, Tensor labels, float klWeight, SplittableRandom noise) {
        Outputs out = session.evalStep(build(evalInputs, x, labels, klWeight, noise));
        return new Evaluation(out.get(ModelGraphs.LOSS).item(), out.get(ModelGraphs.NEG_ELBO).item(),
                out.get(ModelGraphs.RECON).item(), out.get(ModelGraphs.KL).item());
    }

    private static List<Manifest.TensorEntry> ordered(List<String> names, List<Manifest.TensorEntry> entries) {
        List<Manifest.TensorEntry> out = new ArrayList<>();
        for (String name : names) {
            out.add(entries.stream().filter(e -> e.name().equals(name)).findFirst()
                    .orElseThrow(() -> new TrainingException("the model has an input '" + name
                            + "' that its manifest does not describe; regenerate the artifacts")));
        }
        return out;
    }

    /** Fails at the start, not at the first step, when the model lacks an output the trainer reads. */
    private static void requireOutputs(List<String> names, List<String> required) {
        for (String name : required) {
            if (!names.contains(name)) {
                throw new TrainingException("the model has no output '" + name + "' (outputs: " + names + ")");
            }
        }
    }

    /** The feeds in the model's input order: noise is drawn in that order, one input after the other. */
    private static Map<String, Tensor> build(List<Manifest.TensorEntry> entries, Tensor x, Tensor labels,
                                             float klWeight, SplittableRandom noise) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        long batch = x.dim(0);
        for (Manifest.TensorEntry e : entries) {
            if (e.name().equals(ModelGraphs.X)) {
                in.put(e.name(), x);
            } else if (e.name().equals(ModelGraphs.LABEL) && labels != null) {
                in.put(e.name(), labels);
            } else if (e.name().equals(ModelGraphs.KL_WEIGHT)) {
                in.put(e.name(), Tensor.scalar(klWeight));
            } else if (Manifest.TensorEntry.ROLE_NOISE.equals(e.role())) {
                long[] shape = e.shape().clone();
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    if (shape[i] < 0) {
                        shape[i] = batch;
                    }
                    count *= shape[i];
                }
                float[] values = new float[Math.toIntExact(count)];
                Seeds.gaussians(values, noise);
                in.put(e.name(), Tensor.of(values, shape));
            } else {
                throw new TrainingException("the model has an input '" + e.name() + "' the trainer cannot feed");
            }
        }
        return in;
    }
}
