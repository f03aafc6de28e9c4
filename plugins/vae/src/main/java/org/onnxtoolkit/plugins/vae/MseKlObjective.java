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
 * {@code mse-kl}: the objective of the conv VAE references: {@code loss = MSE + klWeight * kl}, where
 * {@code MSE} is the mean squared error over all pixels of the batch (PyTorch's {@code F.mse_loss}) and
 * {@code kl} the per-image KL in nats averaged over the batch. The target is the image in the decoder's
 * output range ({@code x}, or {@code 2x - 1} for a tanh output).
 *
 * <p>For reporting, the reconstruction term is the negative log-likelihood of a Gaussian decoder with unit
 * variance, in nats per image: {@code 1/2 sum_pixels (y - t)^2 + D/2 log(2 pi)}, and the negative ELBO is
 * that plus the KL.
 */
@PluginId(MseKlObjective.ID)
@ApplicationScoped
public class MseKlObjective implements Objective {
    public static final String ID = "mse-kl";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "mean squared error + weighted KL (conv VAE references); Gaussian NLL reported in nats";
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
        try (var s = g.scope("objective")) {
            Value target = dec.activation() == OutputActivation.TANH ? x.mul(2f).add(-1f) : x;
            Value diff = dec.output().sub(target);
            Value squared = diff.mul(diff);
            Value mse = squared.mean();
            long pixels = model.imageShape().size();
            Value recon = squared.sum(1, 2, 3).mean(0).mul(0.5f).add((float) (0.5 * pixels * Math.log(2 * Math.PI)));
            Value kl = Reparameterisation.klPerImage(g, enc);
            return new ObjectiveTerms(mse.add(kl.mul(klWeight)), recon, kl, recon.add(kl));
        }
    }
}
