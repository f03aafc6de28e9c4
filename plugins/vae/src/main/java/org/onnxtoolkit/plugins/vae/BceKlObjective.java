package org.onnxtoolkit.plugins.vae;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.Objective;
import org.onnxtoolkit.api.spi.ObjectiveTerms;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.OutputActivation;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;

/**
 * {@code bce-kl}: the Bernoulli VAE objective of PyTorch's MNIST example. Per image,
 * {@code recon = sum_pixels BCE(x, sigmoid(l))}, computed stably from the logits {@code l} as
 * {@code softplus(l) - x l}, and {@code kl = -1/2 sum_j (1 + logvar - mu^2 - exp(logvar))}, both in nats.
 * The loss is {@code mean_batch(recon + klWeight * kl)}; PyTorch's example sums over the batch instead,
 * which with Adam differs only by a constant factor on the gradients. The negative ELBO is
 * {@code recon + kl}. Needs a decoder with a sigmoid output.
 */
@PluginId(BceKlObjective.ID)
@ApplicationScoped
public class BceKlObjective implements Objective {
    public static final String ID = "bce-kl";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Bernoulli reconstruction (BCE summed over pixels, from logits) + KL, nats per image";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of();
    }

    @Override
    public ObjectiveTerms build(Graph g, LatentModel model, Value x, Value klWeight, PluginOptions options) {
        Reparameterisation.Pass pass = Reparameterisation.forward(g, model, x);
        Encoding enc = pass.encoding();
        Decoding dec = pass.decoding();
        if (dec.activation() != OutputActivation.SIGMOID) {
            throw new IllegalArgumentException("bce-kl needs a decoder with a sigmoid output, but this model's output"
                    + " activation is " + dec.activation().name().toLowerCase(java.util.Locale.ROOT)
                    + "; use --objective mse-kl");
        }
        try (var s = g.scope("objective")) {
            Value logits = dec.preActivation();
            Value bce = logits.softplus().sub(x.mul(logits));
            Value recon = bce.sum(1, 2, 3).mean(0);
            Value kl = Reparameterisation.klPerImage(g, enc);
            return new ObjectiveTerms(recon.add(kl.mul(klWeight)), recon, kl, recon.add(kl));
        }
    }
}
