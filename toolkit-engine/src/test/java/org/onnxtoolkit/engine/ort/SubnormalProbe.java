package org.onnxtoolkit.engine.ort;

import java.util.Map;
import org.onnxtoolkit.compiler.testutil.TinyModels;

/**
 * Run by {@link SubnormalsTest} in a fresh JVM, where the session it opens is the process's first (ORT fixes
 * the calling thread's subnormal mode at the first session). Prints one line: {@code ort=<x*x> java=<x*x>},
 * ORT's and Java's float32 square of {@code x = 1e-20} (exactly 1e-40, a subnormal), the Java one computed on
 * the same thread after the session ran.
 */
public final class SubnormalProbe {

    private static volatile float x = 1e-20f;

    private SubnormalProbe() {}

    public static void main(String[] args) {
        try (InferenceSession s = InferenceSession.open(TinyModels.squareModel(),
                SessionConfig.cpu().withIntraOpThreads(1))) {
            float ort = s.run(Map.of("x", Tensor.of(new float[] {x}, 1))).get("y").toFloatArray()[0];
            float java = x * x;
            System.out.println("ort=" + ort + " java=" + java);
        }
    }
}
