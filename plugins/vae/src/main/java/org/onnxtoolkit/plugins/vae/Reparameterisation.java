package org.onnxtoolkit.plugins.vae;

import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.LatentModel;

/** Terms shared by the VAE objectives. */
final class Reparameterisation {
    private Reparameterisation() {
    }

    /** The encoding of a batch and the decoding of one sample of its posterior. */
    record Pass(Encoding encoding, Decoding decoding) {
    }

    /** Encodes {@code x}, samples {@code z} from the posterior and decodes it: the VAE's forward pass. */
    static Pass forward(Graph g, LatentModel model, Value x) {
        Encoding enc = model.encode(g, x);
        return new Pass(enc, model.decode(g, sample(g, enc)));
    }

    /**
     * {@code z = mu + exp(logvar / 2) * eps} with {@code eps ~ N(0, I)} drawn anew on every step, so that
     * gradients flow to {@code mu} and {@code logvar}.
     */
    static Value sample(Graph g, Encoding e) {
        try (var s = g.scope("sample")) {
            Value eps = g.randomNormalLike(e.mu());
            return e.mu().add(e.logvar().mul(0.5f).exp().mul(eps));
        }
    }

    /**
     * KL divergence of {@code N(mu, exp(logvar))} from {@code N(0, I)}, in nats, averaged over the batch:
     * {@code mean_n -1/2 sum_j (1 + logvar - mu^2 - exp(logvar))}.
     */
    static Value klPerImage(Graph g, Encoding e) {
        try (var s = g.scope("kl")) {
            Value mu = e.mu();
            Value lv = e.logvar();
            Value terms = lv.add(1f).sub(mu.mul(mu)).sub(lv.exp());
            return terms.sum(1).mean(0).mul(-0.5f);
        }
    }
}
