package org.onnxtoolkit.compiler.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.onnxtoolkit.api.graph.Op;
import org.onnxtoolkit.compiler.testutil.ExternalTools;

/**
 * The operator table ({@link Op}) is consistent, and its default-domain rows are ONNX's own definitions at
 * the opset the models import, as the ONNX reference implementation (Debian python3-onnx) has them.
 */
class OpTableTest {
    @Test
    void rowsAreConsistent() {
        Set<String> seen = new HashSet<>();
        for (Op op : Op.values()) {
            assertTrue(seen.add(op.domain() + "::" + op.onnxName()), op + " is listed twice");
            assertEquals(op.isBuilderOp() ? Op.ONNX_DOMAIN : op.domain(), op.domain(),
                    op + ": builder operations are standard ONNX");
            assertTrue(!op.differentiable() || op.isBuilderOp(), op + ": only builder operations are differentiated");
            assertTrue(op.sinceVersion() >= 1 && op.sinceVersion() <= Op.opsetOf(op.domain()),
                    op + ": since version " + op.sinceVersion() + " is beyond the imported opset");
            for (List<Op.Port> ports : List.of(op.inputs(), op.outputs())) {
                for (int i = 0; i < ports.size() - 1; i++) {
                    assertTrue(ports.get(i).presence() != Op.Presence.VARIADIC, op + ": only the last port can be variadic");
                }
            }
            assertTrue(op.minInputs() <= op.maxInputs() && op.minOutputs() <= op.maxOutputs(), op.name());
        }
        assertTrue(Op.RANDOM_NORMAL_LIKE.isBuilderOp() && !Op.RANDOM_NORMAL_LIKE.differentiable());
        assertTrue(Op.CONV.differentiable() && Op.RELU_GRAD.domain().equals(Op.MS_DOMAIN));
    }

    @Test
    void defaultDomainRowsMatchTheOnnxSchemas() throws IOException {
        assumeTrue(ExternalTools.pythonHas("onnx"), "Debian python3-onnx is not installed (apt-get install python3-onnx)");
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(Op.OPSET));
        List<String> expected = new ArrayList<>();
        for (Op op : Op.values()) {
            if (op.domain().equals(Op.ONNX_DOMAIN)) {
                args.add(op.onnxName());
                expected.add(describe(op));
            }
        }
        // One line per operator in the same form as describe(): since version, inputs, outputs, attributes.
        String script = String.join("\n",
                "import sys, onnx.defs as d",
                "opset = int(sys.argv[1])",
                "opt = {'Single': 'required', 'Optional': 'optional', 'Variadic': 'variadic'}",
                "for name in sys.argv[2:]:",
                "    s = d.get_schema(name, opset, '')",
                "    ports = lambda ps: ','.join(p.name + ':' + opt[str(p.option).split('.')[-1]] for p in ps)",
                "    attrs = ','.join(k + ':' + str(v.type).split('.')[-1] + (':required' if v.required else '')",
                "                     for k, v in sorted(s.attributes.items()))",
                "    print(name, s.since_version, ports(s.inputs), ports(s.outputs), attrs, sep=' | ')");
        ExternalTools.Result r = ExternalTools.python(script, args, 120);
        assertEquals(0, r.exitCode(), r.output());
        List<String> actual = r.output().lines().toList();
        assertEquals(String.join("\n", expected), String.join("\n", actual),
                "the operator table differs from ONNX's opset " + Op.OPSET + " schemas");
    }

    private static String describe(Op op) {
        List<String> attrs = new ArrayList<>();
        new TreeSet<>(op.attributes().keySet()).forEach(k -> attrs.add(k + ":" + op.attributes().get(k).kind()
                + (op.attributes().get(k).required() ? ":required" : "")));
        return String.join(" | ", op.onnxName(), Integer.toString(op.sinceVersion()), ports(op.inputs()),
                ports(op.outputs()), String.join(",", attrs));
    }

    private static String ports(List<Op.Port> ports) {
        List<String> out = new ArrayList<>();
        for (Op.Port p : ports) {
            out.add(p.name() + ":" + p.presence().name().toLowerCase(java.util.Locale.ROOT));
        }
        return String.join(",", out);
    }
}
