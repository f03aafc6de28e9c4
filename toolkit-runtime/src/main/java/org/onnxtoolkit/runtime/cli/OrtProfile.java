package org.onnxtoolkit.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.onnxtoolkit.compiler.io.Json;

/**
 * A summary of ONNX Runtime's profiler output (Chrome trace JSON: an array of events; each operator run is an
 * event of category {@code Node} named {@code <node>_kernel_time} with its duration in microseconds and its
 * operator type in {@code args.op_name}; each session run is a {@code Session} event {@code model_run}).
 *
 * <p>Node names tell the phase: the training model's gradient nodes are named {@code grad::...} by the
 * toolkit's compiler and its gradient accumulators {@code <param>::accumulate}; the optimizer model's nodes
 * are AdamW updates; the rest is the forward pass and the loss.
 *
 * @param runs       session runs found (all profiled sessions together)
 * @param perRunMs   milliseconds per run by phase ({@code forward}, {@code backward}, {@code optimizer})
 * @param byOpMs     kernel milliseconds per run by operator type, largest first
 * @param sessionMs  mean milliseconds of a session run (kernels and what ORT does between them), over the
 *                   runs of the file with the most runs
 */
record OrtProfile(int runs, Map<String, Double> perRunMs, Map<String, Double> byOpMs, double sessionMs) {

    /**
     * Reads every profile file named {@code PREFIX_*.json} in a folder.
     *
     * @param dir the folder
     * @param prefix the file name prefix given to the session
     * @param runs the number of training steps profiled (warm-up included), to give per-step numbers
     * @throws IOException if a file cannot be read or is not ORT's trace format
     */
    static OrtProfile summarise(Path dir, String prefix, int runs) throws IOException {
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("forward", 0.0);
        phases.put("backward", 0.0);
        phases.put("optimizer", 0.0);
        Map<String, Double> ops = new LinkedHashMap<>();
        double meanRun = 0;
        long largest = -1;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "_*.json")) {
            for (Path file : files) {
                JsonNode events;
                try {
                    events = Json.MAPPER.readTree(file.toFile());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IOException(file + " is not ONNX Runtime's profile format (not JSON: "
                            + e.getOriginalMessage() + "); was it written by two sessions at once?", e);
                }
                if (!events.isArray()) {
                    throw new IOException(file + " is not an ONNX Runtime profile (a JSON array of events)");
                }
                List<Double> sessionRuns = new ArrayList<>();
                for (JsonNode e : events) {
                    String cat = e.path("cat").asText();
                    String name = e.path("name").asText();
                    double ms = e.path("dur").asDouble() / 1000;
                    if (cat.equals("Session") && name.equals("model_run")) {
                        sessionRuns.add(ms);
                    } else if (cat.equals("Node") && name.endsWith("_kernel_time")) {
                        String op = e.path("args").path("op_name").asText("?");
                        ops.merge(op, ms, Double::sum);
                        phases.merge(phase(name, op), ms, Double::sum);
                    }
                }
                if (sessionRuns.size() > largest && !sessionRuns.isEmpty()) {
                    largest = sessionRuns.size();
                    meanRun = sessionRuns.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                }
            }
        }
        if (largest < 0) {
            throw new IOException("no ONNX Runtime profile named " + prefix + "_*.json with session runs in " + dir);
        }
        Map<String, Double> perPhase = new LinkedHashMap<>();
        phases.forEach((k, v) -> perPhase.put(k, v / runs));
        Map<String, Double> perOp = new LinkedHashMap<>();
        ops.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(en -> perOp.put(en.getKey(), en.getValue() / runs));
        return new OrtProfile(runs, perPhase, perOp, meanRun);
    }

    /** The phase a profiled kernel belongs to, from its node name and operator type. */
    static String phase(String eventName, String op) {
        String node = eventName.substring(0, eventName.length() - "_kernel_time".length());
        if (op.startsWith("AdamW") || op.startsWith("SGD")) {
            return "optimizer";
        }
        if (node.startsWith("grad::") || node.endsWith("::accumulate") || op.endsWith("Grad")) {
            return "backward";
        }
        return "forward";
    }

    /**
     * Prints the summary: per phase, then the operator types that take 1% or more of the kernel time.
     *
     * @param what what one run is, for the heading ("training step")
     */
    void print(PrintWriter out, String what) {
        double kernels = perRunMs.values().stream().mapToDouble(Double::doubleValue).sum();
        double optimizer = perRunMs.get("optimizer");
        out.printf(Locale.ROOT, "profile (ONNX Runtime, per %s, mean of %d with warm-up): kernels %.3f ms"
                + " (forward%s %.3f, backward %.3f%s); session run %.3f ms (kernels and ORT's work between them)%n",
                what, runs, kernels, what.startsWith("training") ? " and loss" : "", perRunMs.get("forward"),
                perRunMs.get("backward"), optimizer > 0 ? String.format(Locale.ROOT, ", optimizer %.3f", optimizer)
                        : "", sessionMs);
        byOpMs.forEach((op, ms) -> {
            if (ms >= 0.01 * kernels) {
                out.printf(Locale.ROOT, "  %-24s %8.3f ms %5.1f%%%n", op, ms, 100 * ms / kernels);
            }
        });
    }
}
