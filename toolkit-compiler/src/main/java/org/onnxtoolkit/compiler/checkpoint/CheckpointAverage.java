package org.onnxtoolkit.compiler.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The element-wise mean of ORT training checkpoints of one model: what data-parallel training combines its
 * workers' states with (local SGD with parameter and optimizer-state averaging).
 *
 * <p>Every trainable and frozen parameter and every optimizer moment (AdamW's {@code momentum0} and
 * {@code momentum1}) is averaged over the checkpoints, in double precision and rounded once to float, so the
 * mean of one checkpoint is that checkpoint's values exactly. An optimizer group's step is the largest of the
 * checkpoints' steps (workers that trained a round's last, shorter share took one step fewer; Adam's bias
 * correction then uses the count of the workers that went furthest), its initial learning rate the first
 * checkpoint's. Properties are the first checkpoint's. The checkpoints must have the same parameters, groups
 * and moments with the same shapes; the order of the first is kept.
 *
 * <p>Stateless and thread-safe.
 */
public final class CheckpointAverage {

    private CheckpointAverage() {}

    /**
     * @param checkpoints the checkpoints' contents (at least one), as {@link CheckpointReader} read them
     * @return the averaged checkpoint's bytes, as {@link CheckpointWriter} writes them
     * @throws IllegalArgumentException if the list is empty or the checkpoints are not of one model (another
     *     parameter, group, moment or shape; the message names it)
     */
    public static byte[] of(List<CheckpointContents> checkpoints) {
        Objects.requireNonNull(checkpoints, "checkpoints");
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint to average");
        }
        CheckpointContents first = checkpoints.get(0);
        CheckpointWriter writer = new CheckpointWriter();
        for (NamedTensor t : first.trainableParameters()) {
            writer.addTrainable(mean(t, checkpoints, c -> c.trainableParameters(), "trainable parameter"));
        }
        for (NamedTensor t : first.frozenParameters()) {
            writer.addFrozen(mean(t, checkpoints, c -> c.frozenParameters(), "frozen parameter"));
        }
        for (CheckpointContents c : checkpoints) {
            if (c.trainableParameters().size() != first.trainableParameters().size()
                    || c.frozenParameters().size() != first.frozenParameters().size()
                    || c.optimizerGroups().size() != first.optimizerGroups().size()) {
                throw new IllegalArgumentException("the checkpoints are not of one model: they have different"
                        + " numbers of parameters or optimizer groups");
            }
        }
        for (OptimizerGroupState group : first.optimizerGroups()) {
            List<OptimizerGroupState> same = new ArrayList<>();
            for (CheckpointContents c : checkpoints) {
                same.add(c.optimizerGroup(group.groupName()).orElseThrow(() -> new IllegalArgumentException(
                        "the checkpoints are not of one model: optimizer group '" + group.groupName()
                                + "' is missing in one")));
            }
            long step = same.stream().mapToLong(OptimizerGroupState::step).max().orElseThrow();
            List<ParameterOptimizerState> states = new ArrayList<>();
            for (ParameterOptimizerState state : group.parameterStates()) {
                List<NamedTensor> moments = new ArrayList<>();
                for (NamedTensor m : state.momentums()) {
                    List<NamedTensor> all = new ArrayList<>();
                    for (OptimizerGroupState g : same) {
                        ParameterOptimizerState s = g.parameterState(state.parameterName()).orElseThrow(() ->
                                new IllegalArgumentException("the checkpoints are not of one model: optimizer group '"
                                        + group.groupName() + "' lacks the state of '" + state.parameterName()
                                        + "' in one"));
                        if (s.momentums().size() != state.momentums().size()) {
                            throw new IllegalArgumentException("the checkpoints are not of one model: '"
                                    + state.parameterName() + "' has different numbers of moments");
                        }
                        all.add(s.momentum(m.name()).orElseThrow(() -> new IllegalArgumentException(
                                "the checkpoints are not of one model: moment '" + m.name() + "' of '"
                                        + state.parameterName() + "' is missing in one")));
                    }
                    moments.add(meanOf(m, all, "moment '" + m.name() + "' of"));
                }
                states.add(new ParameterOptimizerState(state.parameterName(), moments));
            }
            writer.addOptimizerGroup(new OptimizerGroupState(group.groupName(), step, group.initialLearningRate(),
                    states));
        }
        for (Map.Entry<String, Long> e : first.intProperties().entrySet()) {
            writer.addProperty(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Float> e : first.floatProperties().entrySet()) {
            writer.addProperty(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : first.stringProperties().entrySet()) {
            writer.addProperty(e.getKey(), e.getValue());
        }
        return writer.toBytes();
    }

    private static NamedTensor mean(NamedTensor t, List<CheckpointContents> checkpoints,
            java.util.function.Function<CheckpointContents, List<NamedTensor>> tensors, String kind) {
        List<NamedTensor> all = new ArrayList<>();
        for (CheckpointContents c : checkpoints) {
            all.add(tensors.apply(c).stream().filter(x -> x.name().equals(t.name())).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("the checkpoints are not of one model: " + kind + " '" + t.name()
                            + "' is missing in one")));
        }
        return meanOf(t, all, kind);
    }

    private static NamedTensor meanOf(NamedTensor first, List<NamedTensor> all, String kind) {
        long[] dims = first.rawDims();
        double[] sum = new double[first.rawData().length];
        for (NamedTensor x : all) {
            if (!Arrays.equals(x.rawDims(), dims)) {
                throw new IllegalArgumentException("the checkpoints are not of one model: " + kind + " '"
                        + first.name() + "' has shapes " + Arrays.toString(dims) + " and "
                        + Arrays.toString(x.rawDims()));
            }
            float[] data = x.rawData();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += data[i];
            }
        }
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            mean[i] = (float) (sum[i] / all.size());
        }
        return new NamedTensor(first.name(), dims, mean);
    }
}
