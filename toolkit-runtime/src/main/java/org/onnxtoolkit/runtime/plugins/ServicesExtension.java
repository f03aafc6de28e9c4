package org.onnxtoolkit.runtime.plugins;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import org.onnxtoolkit.api.spi.Progress;
import org.onnxtoolkit.api.spi.ModelImporter;
import org.onnxtoolkit.api.spi.ToolkitContext;

/**
 * The portable extension that gives a jar's container the runtime's {@link PluginServices} as beans, so that
 * a plugin bean can declare {@code @Inject Progress progress;}, {@code @Inject ToolkitContext context;} or
 * {@code @Inject ModelImporter importer;} (ONNX models into its graphs).
 * Added programmatically to each container (never discovered), so it runs no plugin code.
 */
public final class ServicesExtension implements Extension {
    private final PluginServices services;

    ServicesExtension(PluginServices services) {
        this.services = services;
    }

    public void addServices(@Observes AfterBeanDiscovery event) {
        event.addBean().types(Progress.class, Object.class).scope(Dependent.class)
                .createWith(context -> services.progress());
        event.addBean().types(ToolkitContext.class, Object.class).scope(Dependent.class)
                .createWith(context -> services.context());
        event.addBean().types(ModelImporter.class, Object.class).scope(Dependent.class)
                .createWith(context -> OnnxModelImporter.INSTANCE);
    }
}
