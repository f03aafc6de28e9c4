package org.onnxtoolkit.compiler.artifacts;

import java.util.Objects;

/**
 * Hyper-parameters of ONNX Runtime's {@code com.microsoft.AdamWOptimizer} node, written by
 * {@link OptimizerModelWriter#adamW(AdamWSettings)}. The learning rate is not here: it is a graph input that
 * the training session feeds ({@code TrainingSession.setLearningRate}).
 *
 * <p>With gradient {@code g}, step {@code t} (1 for the first optimizer step), learning rate {@code lr},
 * {@code m = b1*m + (1-b1)*g} and {@code v = b2*v + (1-b2)*g^2}, ORT's CPU kernel updates a weight {@code w}
 * as follows (with {@code correctBias}; without it the {@code 1 - b^t} terms are 1):
 * <ul>
 *   <li>{@link AdamMode#PYTORCH} ({@code adam_mode=0}):
 *       {@code w -= lr*wd*w;  w -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)}.
 *       With {@code mhat = m/(1-b1^t)} and {@code vhat = v/(1-b2^t)} this is
 *       {@code w -= lr * mhat / (sqrt(vhat) + eps)}: exactly {@code torch.optim.Adam} when
 *       {@code weightDecay = 0}, and {@code torch.optim.AdamW} (decoupled decay applied first) otherwise.</li>
 *   <li>{@link AdamMode#HUGGING_FACE} ({@code adam_mode=1}, the onnxblock default):
 *       {@code w -= lr * sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v) + eps);  w -= lr*wd*w}.
 *       Rewritten, {@code w -= lr * mhat / (sqrt(vhat) + eps/sqrt(1-b2^t))}: epsilon is added before the
 *       bias correction, so it acts like PyTorch's epsilon multiplied by {@code 1/sqrt(1-b2^t)} (31.6 at
 *       t=1 with b2=0.999, still 4.5 at t=50). The modes agree only when {@code sqrt(vhat) >> eps}.</li>
 * </ul>
 * Measured on ORT 1.24.1 CPU with gradients from 1e-7 to 10 over 20 steps (lr 0.01, betas (0.9, 0.999),
 * eps 1e-8): {@code adam_mode=0} stays within 1.2e-7 of a float32 re-implementation of PyTorch's Adam;
 * {@code adam_mode=1} is off by up to 3.3e-2.
 *
 * <p>The writer always emits all six attributes, because the schema defaults ({@code weight_decay=0.01},
 * {@code adam_mode=0}) differ from onnxblock's.
 *
 * @param beta1 exponential decay of the first moment ({@code alpha} attribute), {@code 0 <= beta1 < 1}
 * @param beta2 exponential decay of the second moment ({@code beta} attribute), {@code 0 <= beta2 < 1}
 * @param epsilon added to the denominator ({@code epsilon} attribute), finite and {@code >= 0}
 * @param weightDecay decoupled weight decay ({@code weight_decay} attribute), finite and {@code >= 0}
 * @param correctBias whether to apply bias correction ({@code correct_bias} attribute)
 * @param mode which formula ({@code adam_mode} attribute)
 */
public record AdamWSettings(float beta1, float beta2, float epsilon, float weightDecay, boolean correctBias,
        AdamMode mode) {

    /** The {@code adam_mode} attribute of ORT's AdamWOptimizer. */
    public enum AdamMode {
        /** {@code adam_mode=0}: PyTorch's AdamW (and Adam when weight decay is 0). */
        PYTORCH(0),
        /** {@code adam_mode=1}: Hugging Face transformers' AdamW; bias correction folded into the step size. */
        HUGGING_FACE(1);

        private final int code;

        AdamMode(int code) {
            this.code = code;
        }

        /** @return the attribute value */
        public int code() {
            return code;
        }
    }

    /** Validates the fields. */
    public AdamWSettings {
        Objects.requireNonNull(mode, "mode");
        checkBeta("beta1", beta1);
        checkBeta("beta2", beta2);
        if (!(epsilon >= 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0 but was " + epsilon);
        }
        if (!(weightDecay >= 0f) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0 but was " + weightDecay);
        }
    }

    private static void checkBeta(String name, float beta) {
        if (!(beta >= 0f && beta < 1f)) {
            throw new IllegalArgumentException(name + " must be in [0, 1) but was " + beta);
        }
    }

    /**
     * Settings under which ORT behaves exactly like {@code torch.optim.Adam(lr, betas=(beta1, beta2),
     * eps=epsilon, weight_decay=0)}: {@code adam_mode=0}, {@code correct_bias=1}, {@code weight_decay=0}.
     * Verified against a Java re-implementation of PyTorch's update with gradients from 1e-7 to 10.
     *
     * @param beta1 PyTorch's {@code betas[0]}
     * @param beta2 PyTorch's {@code betas[1]}
     * @param epsilon PyTorch's {@code eps}
     * @return the settings
     */
    public static AdamWSettings pytorchAdam(float beta1, float beta2, float epsilon) {
        return new AdamWSettings(beta1, beta2, epsilon, 0f, true, AdamMode.PYTORCH);
    }

    /** @return {@link #pytorchAdam(float, float, float)} with PyTorch's defaults (0.9, 0.999, 1e-8) */
    public static AdamWSettings pytorchAdam() {
        return pytorchAdam(0.9f, 0.999f, 1e-8f);
    }

    /**
     * Settings equal to {@code torch.optim.AdamW(lr, betas, eps, weight_decay)}: {@code adam_mode=0} applies
     * the decoupled decay {@code w -= lr*wd*w} before the Adam update, as PyTorch does.
     *
     * @param beta1 PyTorch's {@code betas[0]}
     * @param beta2 PyTorch's {@code betas[1]}
     * @param epsilon PyTorch's {@code eps}
     * @param weightDecay PyTorch's {@code weight_decay}
     * @return the settings
     */
    public static AdamWSettings pytorchAdamW(float beta1, float beta2, float epsilon, float weightDecay) {
        return new AdamWSettings(beta1, beta2, epsilon, weightDecay, true, AdamMode.PYTORCH);
    }

    /** @return what onnxruntime-training's onnxblock writes by default: (0.9, 0.999), eps 1e-6, decay 0,
     *     bias correction, {@code adam_mode=1} */
    public static AdamWSettings onnxblockDefaults() {
        return new AdamWSettings(0.9f, 0.999f, 1e-6f, 0f, true, AdamMode.HUGGING_FACE);
    }
}
