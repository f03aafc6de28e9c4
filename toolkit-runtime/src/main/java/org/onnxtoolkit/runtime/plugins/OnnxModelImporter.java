package org.onnxtoolkit.runtime.plugins;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.api.spi.ModelImporter;
import org.onnxtoolkit.compiler.imports.OnnxImport;

/** The {@link ModelImporter} plugins are given: the compiler's {@link OnnxImport}. Stateless, thread-safe. */
final class OnnxModelImporter implements ModelImporter {
    static final OnnxModelImporter INSTANCE = new OnnxModelImporter();

    private OnnxModelImporter() {
    }

    @Override
    public Model read(Path file) {
        OnnxImport imported;
        try {
            imported = OnnxImport.read(file);
        } catch (IOException e) {
            String msg = e.getMessage();
            throw new IllegalArgumentException(e instanceof java.nio.file.NoSuchFileException ? file + " does not exist"
                    : msg.lines().count() > 1 ? String.join(";", msg.lines().toList()) : msg, e);
        }
        return new Model() {
            @Override
            public List<String> inputs() {
                return imported.inputs().stream().map(OnnxImport.Input::onnxName).toList();
            }

            @Override
            public Shape inputShape(String input) {
                return imported.inputs().stream().filter(i -> i.onnxName().equals(input)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(file + " has no input '" + input + "'"))
                        .shape();
            }

            @Override
            public List<String> outputs() {
                return imported.outputs();
            }

            @Override
            public Map<String, Value> addTo(Graph g, Map<String, Value> inputs, Predicate<String> frozen) {
                try {
                    return imported.addTo(g, inputs, frozen);
                } catch (IOException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
        };
    }
}
