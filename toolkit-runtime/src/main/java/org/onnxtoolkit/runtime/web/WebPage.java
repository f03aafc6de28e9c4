package org.onnxtoolkit.runtime.web;

import java.io.IOException;
import java.util.List;

/**
 * The page that {@code toolkit export --web} and {@code toolkit serve} ship: {@code index.html},
 * {@code app.js} and {@code style.css}, kept as resources of this package. It reads {@code model.json}, loads
 * {@code decoder.onnx} into onnxruntime-web (WebAssembly, one thread) and decodes in the browser: a grid of
 * samples, sliders along chosen latent dimensions, and an interpolation between two random points. For a
 * class-conditional model ({@code model.json} lists {@code classes}) it shows a class selector and feeds the
 * decoder's second input, {@code label} (int64), with the chosen class ({@code ?label=K},
 * {@code window.toolkit.decode(z, label)}, {@code window.toolkit.setLabel(k)}).
 *
 * <p>For tests and scripts the page is deterministic on request: {@code ?z=v,v,...} (N times the latent size
 * numbers) shows exactly those latent vectors in the sample grid, and {@code window.toolkit.decode(z)} returns
 * the decoder's raw output. {@code document.body.dataset.state} becomes {@code ready} (or {@code error}) once
 * the first pictures are drawn.
 */
public final class WebPage {
    /** The page's own files, relative to {@code index.html}. */
    public static final List<String> FILES = List.of("index.html", "app.js", "style.css");

    private WebPage() {
    }

    /** Adds the page's files to a site. */
    public static void addTo(WebSite.Builder site) throws IOException {
        for (String f : FILES) {
            site.addResource(f, WebPage.class, "page/" + f);
        }
    }
}
