package org.onnxtoolkit.testkit;

import java.util.SortedMap;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.Decoding;
import org.onnxtoolkit.api.spi.Encoding;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.RecommendedTraining;

/** A model that counts how often an objective calls {@code encode} and {@code decode}. Not thread-safe. */
final class CountingModel implements LatentModel {
    private final LatentModel model;
    int encodes;
    int decodes;

    CountingModel(LatentModel model) {
        this.model = model;
    }

    @Override
    public ImageShape imageShape() {
        return model.imageShape();
    }

    @Override
    public int latentSize() {
        return model.latentSize();
    }

    @Override
    public SortedMap<String, String> configuration() {
        return model.configuration();
    }

    @Override
    public RecommendedTraining recommendedTraining() {
        return model.recommendedTraining();
    }

    @Override
    public Encoding encode(Graph g, Value x) {
        encodes++;
        return model.encode(g, x);
    }

    @Override
    public Decoding decode(Graph g, Value z) {
        decodes++;
        return model.decode(g, z);
    }
}
