package org.onnxtoolkit.runtime.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.ImageShape;

/** Absolute paths of this machine never reach model.json: each becomes its last element. */
class LocalPathsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void wholeValuesThatArePaths() {
        assertEquals("photos", LocalPaths.strip("/home/ana/photos"));
        assertEquals("photos", LocalPaths.strip("/home/ana/photos/"));
        assertEquals("My Photos", LocalPaths.strip("/home/ana/My Photos"));
        assertEquals("celeba", LocalPaths.strip("~/data/celeba"));
        assertEquals("x.jar", LocalPaths.strip("file:///opt/plugins/x.jar"));
        assertEquals("data", LocalPaths.strip("C:\\Users\\ana\\data"));
        assertEquals("", LocalPaths.strip("/"));
    }

    @Test
    void pathsInsideText() {
        assertEquals("skipped 2 undecodable images in photos: a.jpg, b.jpg",
                LocalPaths.strip("skipped 2 undecodable images in /home/ana/photos: /home/ana/photos/a.jpg, /home/ana/photos/b.jpg"));
        assertEquals("0.1.0 (my-plugin.jar)", LocalPaths.strip("0.1.0 (/home/ana/plugins/my-plugin.jar)"));
        assertEquals("see 'train.csv' and \"x\"", LocalPaths.strip("see '/srv/d/train.csv' and \"/tmp/x\""));
    }

    @Test
    void whatIsNotAnAbsolutePathIsKept() {
        for (String keep : new String[] {"runs/2026-mlp/decoder.onnx", "1x28x28", "N/A", "0.001", "mlp-vae", "1/2",
                "https://example.org/a/b", "toolkit-plugin-vae.jar", "a / b", ""}) {
            assertEquals(keep, LocalPaths.strip(keep), keep);
        }
    }

    @Test
    void modelJsonHasNoAbsolutePathInAnyField() throws Exception {
        JsonNode run = JSON.readTree("""
                {"config": {"dataDir": "/home/ana/photos", "datasetOptions": {"cache-dir": "/var/cache/x"}, "seed": 1},
                 "provenance": {"dataset_note.1": "skipped 1 image: /home/ana/photos/broken.jpg"},
                 "skipped": ["/home/ana/photos/broken.jpg"], "/home/ana/key": true}""");
        ModelDescription d = new ModelDescription(2, new ImageShape(1, 28, 28), true,
                Map.of("toolkit.dataset_note.1", "in /home/ana/photos", "train.seed", "1"), run);
        String text = new String(d.toBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(text.contains("/home") || text.contains("/var"), text);
        JsonNode m = JSON.readTree(text);
        assertEquals("photos", m.get("run").get("config").get("dataDir").asText());
        assertEquals("x", m.get("run").get("config").get("datasetOptions").get("cache-dir").asText());
        assertEquals(1, m.get("run").get("config").get("seed").asInt());
        assertEquals("broken.jpg", m.get("run").get("skipped").get(0).asText());
        assertEquals(true, m.get("run").get("key").asBoolean());
        assertEquals("in photos", m.get("provenance").get("toolkit.dataset_note.1").asText());
        assertEquals("/home/ana/photos", run.get("config").get("dataDir").asText(), "the caller's tree is not changed");
    }
}
