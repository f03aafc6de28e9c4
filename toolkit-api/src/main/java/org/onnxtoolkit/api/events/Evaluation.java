package org.onnxtoolkit.api.events;

/**
 * Means of a model's objective over an evaluated split, per image.
 *
 * @param loss    the objective as optimised (with the KL weight)
 * @param negElbo negative evidence lower bound, nats per image
 * @param recon   reconstruction term of the negative ELBO, nats per image
 * @param kl      KL term of the negative ELBO, nats per image
 */
public record Evaluation(double loss, double negElbo, double recon, double kl) {
    /** @return whether every value is a finite number */
    public boolean finite() {
        return Double.isFinite(loss) && Double.isFinite(negElbo) && Double.isFinite(recon) && Double.isFinite(kl);
    }
}
