package org.onnxtoolkit.engine.training;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.onnxtoolkit.api.events.Evaluation;
import org.onnxtoolkit.compiler.artifacts.Manifest;
import org.onnxtoolkit.compiler.model.ModelGraphs;
import org.onnxtoolkit.engine.ort.Tensor;
import org.onnxtoolkit.engine.ort.TrainingSession;

/**
 * The inputs a VAE's training and eval models take, and the outputs the trainer reads: images {@code x},
 * the KL weight, and standard normal noise for every noise input the manifest declares (drawn from the
 * given stream, so that a resumed run draws what the uninterrupted one would have).
 */
final class Feeds {
    private final List<Manifest.TensorEntry> trainInputs;
    private final List<Manifest.TensorEntry> evalInputs;
    private final int trainLoss;
    private final int trainNegElbo;
    private final int evalLoss;
    private final int evalRecon;
    private final int evalKl;
    private final int evalNegElbo;

    Feeds(TrainingSession session, Manifest manifest) {
        trainInputs = ordered(session.trainingInputNames(), manifest.trainingInputs());
        evalInputs = ordered(session.evalInputNames(), manifest.evalInputs());
        List<String> to = session.trainingOutputNames();
        List<String> eo = session.evalOutputNames();
        trainLoss = index(to, ModelGraphs.LOSS);
        trainNegElbo = index(to, ModelGraphs.NEG_ELBO);
        evalLoss = index(eo, ModelGraphs.LOSS);
        evalRecon = index(eo, ModelGraphs.RECON);
        evalKl = index(eo, ModelGraphs.KL);
        evalNegElbo = index(eo, ModelGraphs.NEG_ELBO);
    }

    /** The loss and negative ELBO of a training step, per image (batch means). */
    record StepOutputs(double loss, double negElbo) {
    }

    /** Runs one training step (gradients accumulated; the caller resets and applies them). */
    StepOutputs trainStep(TrainingSession session, Tensor x, float klWeight, SplittableRandom noise) {
        List<Tensor> out = session.trainStep(build(trainInputs, x, klWeight, noise));
        return new StepOutputs(out.get(trainLoss).item(), out.get(trainNegElbo).item());
    }

    /** Evaluates one batch; the values are batch means. */
    Evaluation evalStep(TrainingSession session, Tensor x, float klWeight, SplittableRandom noise) {
        List<Tensor> out = session.evalStep(build(evalInputs, x, klWeight, noise));
        return new Evaluation(out.get(evalLoss).item(), out.get(evalNegElbo).item(), out.get(evalRecon).item(),
                out.get(evalKl).item());
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

    private static int index(List<String> names, String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new TrainingException("the model has no output '" + name + "' (outputs: " + names + ")");
        }
        return i;
    }

    private static List<Tensor> build(List<Manifest.TensorEntry> entries, Tensor x, float klWeight,
                                      SplittableRandom noise) {
        List<Tensor> in = new ArrayList<>(entries.size());
        long batch = x.dim(0);
        for (Manifest.TensorEntry e : entries) {
            if (e.name().equals(ModelGraphs.X)) {
                in.add(x);
            } else if (e.name().equals(ModelGraphs.KL_WEIGHT)) {
                in.add(Tensor.scalar(klWeight));
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
                in.add(Tensor.of(values, shape));
            } else {
                throw new TrainingException("the model has an input '" + e.name() + "' the trainer cannot feed");
            }
        }
        return in;
    }
}
