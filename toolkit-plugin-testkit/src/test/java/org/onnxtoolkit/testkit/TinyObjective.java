package org.onnxtoolkit.testkit;

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
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;

/** A squared-error VAE objective; the tests switch on one flaw at a time. */
@PluginId("tiny-objective")
@ApplicationScoped
public class TinyObjective implements Objective {
    enum Flaw { NONE, DECODES_TWICE, PER_IMAGE_LOSS, LOSS_WITHOUT_MODEL }

    private final Flaw flaw;

    public TinyObjective() {
        this(Flaw.NONE);
    }

    TinyObjective(Flaw flaw) {
        this.flaw = flaw;
    }

    @Override
    public String description() {
        return "squared error + KL, for the test kit's own tests";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of();
    }

    @Override
    public ObjectiveTerms build(Graph g, LatentModel model, Value x, Value klWeight, PluginOptions options) {
        Encoding e = model.encode(g, x);
        Value z = e.mu().add(e.logvar().mul(0.5f).exp().mul(g.randomNormalLike(e.mu())));
        Decoding d = model.decode(g, z);
        if (flaw == Flaw.DECODES_TWICE) {
            try (var s = g.scope("again")) {
                model.decode(g, e.mu());
            }
        }
        Value diff = d.output().sub(x);
        Value perImage = diff.mul(diff).sum(1, 2, 3);
        Value recon = perImage.mean(0);
        Value kl = e.mu().mul(e.mu()).add(e.logvar().exp()).sub(e.logvar()).add(-1f).sum(1).mean(0).mul(0.5f);
        Value loss = switch (flaw) {
            case PER_IMAGE_LOSS -> perImage;
            case LOSS_WITHOUT_MODEL -> x.mean().mul(klWeight);
            default -> recon.add(kl.mul(klWeight));
        };
        return new ObjectiveTerms(loss, recon, kl, recon.add(kl));
    }
}
