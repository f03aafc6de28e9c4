package org.onnxtoolkit.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.spi.Architecture;
import org.onnxtoolkit.api.spi.Dataset;
import org.onnxtoolkit.api.spi.DatasetOptions;
import org.onnxtoolkit.api.spi.DatasetSplits;
import org.onnxtoolkit.api.spi.ImageShape;
import org.onnxtoolkit.api.spi.LatentModel;
import org.onnxtoolkit.api.spi.OptionSpec;
import org.onnxtoolkit.api.spi.PluginId;
import org.onnxtoolkit.api.spi.PluginOptions;

/** What {@link PluginConformance#assertPluginClass} accepts and refuses, each refusal in one line. */
class PluginClassChecksTest {
    /** A dataset with everything but the annotations under test. */
    public abstract static class StubDataset implements Dataset {
        @Override
        public String description() {
            return "a stub";
        }

        @Override
        public ImageShape nativeShape() {
            return null;
        }

        @Override
        public DatasetSplits open(DatasetOptions options) {
            throw new UnsupportedOperationException("not opened by these tests");
        }
    }

    @ApplicationScoped
    public static class NoId extends StubDataset {
    }

    @PluginId("My_Data")
    @ApplicationScoped
    public static class BadId extends StubDataset {
    }

    @PluginId("unscoped")
    public static class Unscoped extends StubDataset {
    }

    @PluginId("final-class")
    @ApplicationScoped
    public static final class FinalClass extends StubDataset {
    }

    @PluginId("final-method")
    @ApplicationScoped
    public static class FinalMethod extends StubDataset {
        @Override
        public final String description() {
            return "final";
        }
    }

    /** Not normal-scoped: created directly, without a proxy, so final is allowed. */
    @PluginId("dependent-final")
    @Dependent
    public static final class DependentFinal extends StubDataset {
    }

    @PluginId("declared")
    @ApplicationScoped
    public static class WrongId extends StubDataset {
        @Override
        public String id() {
            return "other";
        }
    }

    @PluginId("blank")
    @ApplicationScoped
    public static class Blank extends StubDataset {
        @Override
        public String description() {
            return " ";
        }
    }

    @PluginId("two-lines")
    @ApplicationScoped
    public static class TwoLines extends StubDataset {
        @Override
        public String description() {
            return "first\nsecond";
        }
    }

    @PluginId("needs-argument")
    @ApplicationScoped
    public static class NeedsArgument extends StubDataset {
        public NeedsArgument(String licence) {
        }
    }

    @PluginId("licensed")
    @ApplicationScoped
    public static class Throws extends StubDataset {
        public Throws() {
            throw new IllegalStateException("licence file licensed.lic not found");
        }
    }

    @PluginId("abstract-one")
    @ApplicationScoped
    public abstract static class Abstract extends StubDataset {
    }

    @PluginId("twice")
    @ApplicationScoped
    public static class OptionTwice extends StubDataset {
        @Override
        public List<OptionSpec> options() {
            return List.of(new OptionSpec("size", "1", "a size"), new OptionSpec("size", "2", "the size again"));
        }
    }

    @PluginId("undescribed")
    @ApplicationScoped
    public static class UndescribedOption extends StubDataset {
        @Override
        public List<OptionSpec> options() {
            return List.of(new OptionSpec("size", "1", ""));
        }
    }

    @PluginId("twin")
    @ApplicationScoped
    public static class TwinA extends StubDataset {
    }

    @PluginId("twin")
    @ApplicationScoped
    public static class TwinB extends StubDataset {
    }

    /** The same id as a dataset is fine for another kind. */
    @PluginId("twin")
    @ApplicationScoped
    public static class TwinArchitecture implements Architecture {
        @Override
        public String description() {
            return "an architecture named like a dataset";
        }

        @Override
        public List<OptionSpec> options() {
            return List.of();
        }

        @Override
        public LatentModel create(PluginOptions options, ImageShape imageShape) {
            throw new UnsupportedOperationException("not created by these tests");
        }
    }

    private static final String TEST = PluginClassChecksTest.class.getName();

    @Test
    void wellFormedPluginClassesPassAndGiveTheirIds() {
        assertEquals(List.of("tiny-vae", "tiny-objective", "tiny-dataset"),
                PluginConformance.assertPluginClasses(TinyVae.class, TinyObjective.class, TinyDataset.class));
        assertInstanceOf(TinyVae.class, PluginConformance.assertPluginClass(TinyVae.class));
        PluginConformance.assertPluginClass(DependentFinal.class);
        assertEquals(List.of("twin", "twin"), PluginConformance.assertPluginClasses(TwinA.class, TwinArchitecture.class));
    }

    @Test
    void idsMustBeDeclaredValidAndAgreeWithId() {
        Failures.message(() -> PluginConformance.assertPluginClass(NoId.class),
                TEST + "$NoId has no @PluginId; declare its id on the class, for example @PluginId(\"my-dataset\")");
        Failures.message(() -> PluginConformance.assertPluginClass(BadId.class),
                "$BadId has the invalid id 'My_Data'; ids are lower-kebab-case, like 'fashion-mnist'");
        Failures.message(() -> PluginConformance.assertPluginClass(WrongId.class),
                "$WrongId declares @PluginId(\"declared\") but its id() returns 'other'; remove the id() method or make"
                        + " them agree");
        Failures.message(() -> PluginConformance.assertPluginClasses(TwinA.class, TwinB.class),
                "duplicate dataset id 'twin' in " + TEST + "$TwinA and " + TEST + "$TwinB");
    }

    @Test
    void theCdiContainerMustBeAbleToCreateAndProxyThePlugin() {
        Failures.message(() -> PluginConformance.assertPluginClass(Unscoped.class),
                "$Unscoped has no bean-defining annotation; add @jakarta.enterprise.context.ApplicationScoped");
        Failures.message(() -> PluginConformance.assertPluginClass(FinalClass.class),
                "$FinalClass is final, but a @ApplicationScoped bean is reached through a proxy");
        Failures.message(() -> PluginConformance.assertPluginClass(FinalMethod.class),
                "$FinalMethod: public method description is final");
        Failures.message(() -> PluginConformance.assertPluginClass(NeedsArgument.class),
                "$NeedsArgument has no public no-argument constructor");
        Failures.message(() -> PluginConformance.assertPluginClass(Throws.class),
                "$Throws's constructor threw java.lang.IllegalStateException: licence file licensed.lic not found");
        Failures.message(() -> PluginConformance.assertPluginClass(Abstract.class), "$Abstract has @PluginId but is abstract");
    }

    @Test
    void descriptionsAndOptionsAreOneLineEach() {
        Failures.message(() -> PluginConformance.assertPluginClass(Blank.class),
                "$Blank: description() is blank; give the one line 'toolkit plugins blank' shows");
        Failures.message(() -> PluginConformance.assertPluginClass(TwoLines.class), "description() has several lines");
        Failures.message(() -> PluginConformance.assertPluginClass(OptionTwice.class),
                "dataset twice declares option 'size' twice");
        Failures.message(() -> PluginConformance.assertPluginClass(UndescribedOption.class),
                "dataset undescribed: option size has no description");
    }
}
