/**
 * Serving an exported model: {@code model.json} ({@link org.onnxtoolkit.runtime.web.ModelDescription}), the
 * static page with the vendored onnxruntime-web ({@link org.onnxtoolkit.runtime.web.WebPage},
 * {@link org.onnxtoolkit.runtime.web.WebRuntime}), the set of files both make up
 * ({@link org.onnxtoolkit.runtime.web.WebSite}) and a loopback-only HTTP server for it
 * ({@link org.onnxtoolkit.runtime.web.StaticServer}).
 */
package org.onnxtoolkit.runtime.web;
