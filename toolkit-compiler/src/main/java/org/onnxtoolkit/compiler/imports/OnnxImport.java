package org.onnxtoolkit.compiler.imports;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.onnxtoolkit.api.graph.ConvOptions;
import org.onnxtoolkit.api.graph.DataType;
import org.onnxtoolkit.api.graph.Graph;
import org.onnxtoolkit.api.graph.Init;
import org.onnxtoolkit.api.graph.Shape;
import org.onnxtoolkit.api.graph.Value;
import org.onnxtoolkit.compiler.io.InputFiles;

/**
 * Imports an ONNX model as {@code torch.onnx.export} writes it (opset 13 to 17, initializers inline or as
 * external data in the model's folder) into the graph builder, so that the compiler can make ONNX Runtime
 * training artifacts for it. Float initializers that operations read as weights become parameters with the
 * model's values ({@link Init#given}); batch-norm running statistics become frozen parameters; everything the
 * model computes from constants alone (int64 shapes, {@code Shape}/{@code Gather}/{@code Concat} chains on a
 * static shape) is folded while importing. Graph inputs keep their names (characters the builder does not
 * allow become {@code _}), shapes and element types (float, int64); only the first axis may be dynamic (the
 * batch).
 *
 * <p>{@link #read} parses and checks everything that does not depend on the graph being built (protobuf,
 * opset, operators, inputs, external data), so a model that passes it fails later only for shape mismatches,
 * which the builder names. Instances are immutable once read; {@link #addTo} may be called for several graphs.
 */
public final class OnnxImport {
    /** The largest model file read (protobuf's own limit). */
    public static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;
    /** The operator types the importer reads, default domain only. */
    public static final Set<String> SUPPORTED_OPS = Set.of("Add", "Sub", "Mul", "Div", "Neg", "Exp", "Log", "Sqrt",
            "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Identity", "MatMul", "Gemm", "Conv", "ConvTranspose",
            "BatchNormalization", "Reshape", "Flatten", "Transpose", "ReduceSum", "ReduceMean", "Cast", "MaxPool",
            "AveragePool", "GlobalAveragePool", "Concat", "Squeeze", "Unsqueeze", "Softmax", "LogSoftmax",
            "Dropout", "Clip", "Constant", "Shape", "Gather");
    private static final int MIN_OPSET = 13;
    private static final int MAX_OPSET = 17;
    /** A batch dimension inside a folded int64 shape vector. */
    private static final long BATCH_MARK = Long.MIN_VALUE;

    private final Path file;
    private final OnnxMl.GraphProto graph;
    private final Map<String, Known> initializers;
    private final List<Input> inputs;
    private final List<String> outputs;

    /** A graph input: its name in the model, the builder's name for it, element type and shape. */
    public record Input(String onnxName, String name, DataType type, Shape shape) {
    }

    /** A tensor known while importing: an initializer or a folded constant (long data for int64 and bool). */
    private record Known(DataType type, long[] dims, float[] floats, long[] longs) {
        int count() {
            return floats != null ? floats.length : longs.length;
        }
    }

    private OnnxImport(Path file, OnnxMl.GraphProto graph, Map<String, Known> initializers, List<Input> inputs,
                       List<String> outputs) {
        this.file = file;
        this.graph = graph;
        this.initializers = initializers;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * Reads and checks a model.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws org.onnxtoolkit.compiler.io.NotARegularFileException if it is not a regular file
     * @throws OnnxImportException for a damaged model or one the importer cannot read (see the class comment)
     */
    public static OnnxImport read(Path file) throws IOException {
        byte[] bytes = InputFiles.readAllBytes(file, MAX_MODEL_BYTES, "an ONNX model");
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException(file + " is not a readable ONNX model (truncated or damaged: "
                    + e.getMessage() + "); export it again", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new OnnxImportException(file + " is not a readable ONNX model (no graph, or an empty one: truncated"
                    + " or damaged?); export it again");
        }
        long opset = -1;
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = o.getVersion();
            }
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new OnnxImportException(file + " uses ONNX opset " + (opset < 0 ? "(none declared)" : opset)
                    + "; the importer reads opsets " + MIN_OPSET + " to " + MAX_OPSET
                    + " (export again with torch.onnx.export(..., opset_version=17))");
        }
        OnnxMl.GraphProto g = model.getGraph();
        checkOperators(file, g);
        Path folder = file.toAbsolutePath().getParent();
        Map<String, Known> inits = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            inits.put(t.getName(), tensor(file, folder, t, "initializer '" + t.getName() + "'"));
        }
        List<Input> in = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (inits.containsKey(v.getName())) {
                continue; // older exporters list initializers as inputs too
            }
            in.add(input(file, v, names));
        }
        List<String> out = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
            out.add(v.getName());
        }
        if (out.isEmpty()) {
            throw new OnnxImportException(file + " declares no graph output (truncated or damaged?); export it again");
        }
        return new OnnxImport(file, g, inits, List.copyOf(in), List.copyOf(out));
    }

    /** One line per unsupported operator type, after a first line that says what to do. */
    private static void checkOperators(Path file, OnnxMl.GraphProto g) throws OnnxImportException {
        Map<String, List<String>> unsupported = new TreeMap<>();
        int i = 0;
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            boolean known = (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                    && SUPPORTED_OPS.contains(n.getOpType());
            if (!known) {
                String type = n.getDomain().isEmpty() ? n.getOpType() : n.getDomain() + "." + n.getOpType();
                unsupported.computeIfAbsent(type, k -> new ArrayList<>())
                        .add(n.getName().isEmpty() ? "#" + i : n.getName());
            }
            i++;
        }
        if (unsupported.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(file + ": " + unsupported.size() + " operator type"
                + (unsupported.size() == 1 ? " is" : "s are") + " not supported for training (the supported ones are"
                + " listed in docs/onnx-import.md):");
        unsupported.forEach((type, nodes) -> sb.append(System.lineSeparator()).append("  ").append(type)
                .append(": ").append(String.join(", ", nodes)));
        throw new OnnxImportException(sb.toString());
    }

    private static Input input(Path file, OnnxMl.ValueInfoProto v, Set<String> names) throws OnnxImportException {
        String what = file + ": input '" + v.getName() + "'";
        if (!v.hasType() || !v.getType().hasTensorType()) {
            throw new OnnxImportException(what + " is not a tensor; only tensor inputs can be imported");
        }
        OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
        DataType type = switch (t.getElemType()) {
            case 1 -> DataType.FLOAT;
            case 7 -> DataType.INT64;
            default -> throw new OnnxImportException(what + " has element type " + t.getElemType()
                    + " (ONNX TensorProto.DataType); only float (1) and int64 (7) inputs can be imported");
        };
        if (!t.hasShape()) {
            throw new OnnxImportException(what + " has no shape; export with fixed input sizes (a dynamic batch axis"
                    + " is fine)");
        }
        long[] dims = new long[t.getShape().getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            OnnxMl.TensorShapeProto.Dimension d = t.getShape().getDim(i);
            if (d.hasDimValue() && d.getDimValue() > 0) {
                dims[i] = d.getDimValue();
            } else if (i == 0) {
                dims[i] = Shape.BATCH;
            } else {
                throw new OnnxImportException(what + " has a dynamic dimension "
                        + (d.getDimParam().isEmpty() ? "" : "'" + d.getDimParam() + "' ") + "at axis " + i
                        + "; only the first axis (the batch) may be dynamic: export again with fixed sizes for the"
                        + " others (dynamic_axes only for axis 0)");
            }
        }
        String name = sanitize(v.getName(), names);
        return new Input(v.getName(), name, type, Shape.of(dims));
    }

    /**
     * The values of a float initializer of a model, read again to write a run's first checkpoint from a manifest
     * ({@code Manifest.InitEntry}): the model file must still hold exactly the values the artifacts were made from.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or its values changed
     */
    public static Init initialValues(String file, String initializer, String sha256) {
        OnnxImport m;
        try {
            m = read(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the initial values of '" + initializer + "' from " + file
                    + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        Known k = m.initializers.get(initializer);
        if (k == null || k.floats() == null) {
            throw new IllegalArgumentException(file + " no longer has the float initializer '" + initializer
                    + "' the artifacts were made from");
        }
        Init.Given g = (Init.Given) Init.given(k.floats(), file, initializer);
        if (!g.sha256().equals(sha256)) {
            throw new IllegalArgumentException("the values of '" + initializer + "' in " + file + " changed since the"
                    + " artifacts were made from it");
        }
        return g;
    }

    /** The path of the model file. */
    public Path file() {
        return file;
    }

    /** The graph inputs (initializers excluded), in the model's order. */
    public List<Input> inputs() {
        return inputs;
    }

    /** The graph output names, in the model's order. */
    public List<String> outputs() {
        return outputs;
    }

    /**
     * Adds the model's computation to {@code g}, in the current scope of {@code g}.
     *
     * @param boundInputs a value of {@code g} for every graph input, by its ONNX name
     * @param frozen      which initializers (by ONNX name) stay fixed during training; batch-norm running
     *                    statistics are always frozen
     * @return a value of {@code g} for every graph output, by ONNX name, in the model's order
     * @throws OnnxImportException naming the node when a node cannot be imported into this graph (shapes that
     *                             do not fit, dynamic shapes that cannot be resolved)
     */
    public Map<String, Value> addTo(Graph g, Map<String, Value> boundInputs, Predicate<String> frozen)
            throws OnnxImportException {
        Builder b = new Builder(g, frozen);
        for (Input in : inputs) {
            Value v = boundInputs.get(in.onnxName());
            if (v == null) {
                throw new IllegalArgumentException("no value bound to input '" + in.onnxName() + "'");
            }
            b.env.put(in.onnxName(), v);
        }
        int i = 0;
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            String label = n.getOpType() + " '" + (n.getName().isEmpty() ? "#" + i : n.getName()) + "'";
            try {
                b.node(n, label);
            } catch (IllegalArgumentException e) {
                throw new OnnxImportException(file + ": cannot import node " + label + ": " + e.getMessage(), e);
            }
            i++;
        }
        Map<String, Value> out = new LinkedHashMap<>();
        for (String name : outputs) {
            Object v = b.env.get(name);
            if (v == null) {
                throw new OnnxImportException(file + ": the output '" + name + "' is computed by no node (truncated"
                        + " or damaged?)");
            }
            out.put(name, b.value(v, name, false));
        }
        return out;
    }

    /** The parameter names {@link #addTo} gives initializers, by ONNX name (only those it made parameters). */
    public static String parameterName(String onnxName) {
        return sanitize(onnxName, new HashSet<>());
    }

    /**
     * A name the graph builder accepts: every character other than letters, digits, {@code _ . -} becomes
     * {@code _}, a name ending in a suffix ONNX Runtime reserves gets a trailing {@code _x}, and a name already
     * taken gets a numeric suffix.
     */
    static String sanitize(String name, Set<String> taken) {
        String s = name.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        if (s.isEmpty()) {
            s = "_";
        }
        if (s.endsWith("_grad") || s.endsWith("_grad.accumulation.buffer") || s.endsWith("_grad.accumulation.out")
                || s.equals("lazy_reset_grad")) {
            s = s + "_x";
        }
        String candidate = s;
        for (int i = 1; !taken.add(candidate); i++) {
            candidate = s + "_" + i;
        }
        return candidate;
    }

    // ------------------------------------------------------------------------------------- tensors

    private static Known tensor(Path file, Path folder, OnnxMl.TensorProto t, String what) throws OnnxImportException {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new OnnxImportException(file + ": " + what + " has a negative dimension " + d);
            }
            count *= d;
        }
        if (count > Integer.MAX_VALUE / 8) {
            throw new OnnxImportException(file + ": " + what + " has " + count + " elements, too many to import");
        }
        int n = (int) count;
        int type = t.getDataType();
        int width = switch (type) {
            case 1 -> 4;
            case 7 -> 8;
            case 9 -> 1;
            default -> throw new OnnxImportException(file + ": " + what + " has element type " + type
                    + " (ONNX TensorProto.DataType); only float (1), int64 (7) and bool (9) tensors can be imported");
        };
        ByteBuffer raw = null;
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            raw = external(file, folder, t, what, (long) n * width);
        } else if (!t.getRawData().isEmpty()) {
            raw = t.getRawData().asReadOnlyByteBuffer();
        }
        if (raw != null) {
            raw = raw.order(ByteOrder.LITTLE_ENDIAN);
            if (raw.remaining() != (long) n * width) {
                throw new OnnxImportException(file + ": " + what + " holds " + raw.remaining() + " bytes of data for "
                        + n + " elements (truncated or damaged?)");
            }
        }
        if (type == 1) {
            float[] f = new float[n];
            if (raw != null) {
                raw.asFloatBuffer().get(f);
            } else {
                checkCount(file, what, t.getFloatDataCount(), n);
                for (int i = 0; i < n; i++) {
                    f[i] = t.getFloatData(i);
                }
            }
            return new Known(DataType.FLOAT, dims, f, null);
        }
        long[] l = new long[n];
        if (raw != null) {
            for (int i = 0; i < n; i++) {
                l[i] = width == 8 ? raw.getLong() : raw.get();
            }
        } else if (type == 7) {
            checkCount(file, what, t.getInt64DataCount(), n);
            for (int i = 0; i < n; i++) {
                l[i] = t.getInt64Data(i);
            }
        } else {
            checkCount(file, what, t.getInt32DataCount(), n);
            for (int i = 0; i < n; i++) {
                l[i] = t.getInt32Data(i);
            }
        }
        return new Known(type == 7 ? DataType.INT64 : DataType.BOOL, dims, null, l);
    }

    private static void checkCount(Path file, String what, int have, int want) throws OnnxImportException {
        if (have != want) {
            throw new OnnxImportException(file + ": " + what + " holds " + have + " values for " + want
                    + " elements (truncated or damaged?)");
        }
    }

    /**
     * Data stored beside the model ({@code location}, {@code offset}, {@code length}): the file must lie inside
     * the model's folder, also after following symbolic links, so a model cannot make the importer read
     * anything else on the machine.
     */
    private static ByteBuffer external(Path file, Path folder, OnnxMl.TensorProto t, String what, long expected)
            throws OnnxImportException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(file, what, e);
                case "length" -> length = parseLong(file, what, e);
                default -> {
                }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OnnxImportException(file + ": " + what + " is stored externally but names no file");
        }
        Path target;
        try {
            Path root = folder.toRealPath();
            Path p = folder.resolve(location).normalize();
            if (!p.startsWith(folder.normalize()) || Path.of(location).isAbsolute()) {
                throw new OnnxImportException(file + ": the external data '" + location + "' of " + what
                        + " points outside the model's folder " + folder + "; external data must lie beside the model");
            }
            target = p.toRealPath();
            if (!target.startsWith(root)) {
                throw new OnnxImportException(file + ": the external data '" + location + "' of " + what
                        + " leads outside the model's folder " + folder + " (through a link); external data must lie"
                        + " beside the model");
            }
        } catch (NoSuchFileException e) {
            throw new OnnxImportException(file + ": the external data file '" + location + "' of " + what
                    + " does not exist; copy it next to the model", e);
        } catch (IOException e) {
            throw new OnnxImportException(file + ": cannot read the external data '" + location + "' of " + what
                    + ": " + e.getMessage(), e);
        }
        long len = length < 0 ? expected : length;
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
            if (!Files.isRegularFile(target) || offset < 0 || offset + len > ch.size()) {
                throw new OnnxImportException(file + ": the external data '" + location + "' of " + what + " is "
                        + ch.size() + " bytes, too short for " + len + " bytes at offset " + offset
                        + " (truncated?)");
            }
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(len));
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    break;
                }
            }
            buf.flip();
            return buf;
        } catch (IOException e) {
            if (e instanceof OnnxImportException oie) {
                throw oie;
            }
            throw new OnnxImportException(file + ": cannot read the external data '" + location + "' of " + what
                    + ": " + e.getMessage(), e);
        }
    }

    private static long parseLong(Path file, String what, OnnxMl.StringStringEntryProto e) throws OnnxImportException {
        try {
            return Long.parseLong(e.getValue());
        } catch (NumberFormatException x) {
            throw new OnnxImportException(file + ": " + what + " has external data " + e.getKey() + " '"
                    + e.getValue() + "', not a number");
        }
    }

    // ------------------------------------------------------------------------------------- nodes

    /** Builds one graph: the values of the model by ONNX name, each a {@link Value} or a {@link Known}. */
    private final class Builder {
        final Graph g;
        final Predicate<String> frozen;
        final Map<String, Object> env = new HashMap<>();
        final Map<String, Value> declared = new HashMap<>();
        final Set<String> frozenStats = new HashSet<>();
        final Set<String> names = new HashSet<>();
        int constants;

        Builder(Graph g, Predicate<String> frozen) {
            this.g = g;
            this.frozen = frozen;
            env.putAll(initializers);
            inputs.forEach(in -> names.add(in.name()));
        }

        private Object get(OnnxMl.NodeProto n, int i) {
            if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
                return null;
            }
            Object v = env.get(n.getInput(i));
            if (v == null) {
                throw new IllegalArgumentException("its input '" + n.getInput(i) + "' is not defined (truncated or"
                        + " damaged model?)");
            }
            return v;
        }

        /** Input {@code i} as a graph value; an initializer read here becomes a parameter. */
        Value in(OnnxMl.NodeProto n, int i) {
            Object v = get(n, i);
            if (v == null) {
                throw new IllegalArgumentException("input " + i + " is required");
            }
            return value(v, n.getInput(i), false);
        }

        Value value(Object v, String onnxName, boolean frozenStat) {
            if (v instanceof Value val) {
                return val;
            }
            if (v instanceof Unusable u) {
                throw new IllegalArgumentException("it reads " + u.what() + ", which the importer does not compute");
            }
            Known k = (Known) v;
            Value done = declared.get(onnxName);
            if (done != null) {
                return done;
            }
            Value made;
            if (k.type() == DataType.FLOAT && initializers.get(onnxName) == k && k.dims().length > 0) {
                String name = sanitize(onnxName, names);
                made = frozenStat || frozen.test(onnxName)
                        ? g.frozenParameter(name, given(k, onnxName), k.dims())
                        : g.parameter(name, given(k, onnxName), k.dims());
            } else if (k.type() == DataType.FLOAT) {
                made = g.constant("folded_const" + constants++, k.floats(), k.dims());
            } else if (k.type() == DataType.INT64) {
                made = g.constantInts("folded_const" + constants++, k.longs(), k.dims());
            } else {
                throw new IllegalArgumentException("a bool tensor can only be a flag (Dropout's training_mode)");
            }
            declared.put(onnxName, made);
            return made;
        }

        private Init given(Known k, String onnxName) {
            return Init.given(k.floats(), file.toAbsolutePath().toString(), onnxName);
        }

        /** Input {@code i} as a tensor known while importing, or null when absent. */
        Known known(OnnxMl.NodeProto n, int i, String role) {
            Object v = get(n, i);
            if (v == null) {
                return null;
            }
            if (v instanceof Unusable u) {
                throw new IllegalArgumentException("it reads " + u.what() + ", which the importer does not compute");
            }
            if (!(v instanceof Known k)) {
                throw new IllegalArgumentException("its " + role + " must be a constant (it is computed from the"
                        + " inputs, a dynamic shape the importer cannot resolve); export with fixed sizes");
            }
            return k;
        }

        void put(OnnxMl.NodeProto n, Object v) {
            env.put(n.getOutput(0), v);
        }

        void node(OnnxMl.NodeProto n, String label) {
            Attrs a = new Attrs(n);
            switch (n.getOpType()) {
                case "Constant" -> put(n, constant(a));
                case "Identity" -> put(n, get(n, 0));
                case "Shape" -> {
                    Value x = in(n, 0);
                    long[] d = x.shape().dims();
                    for (int i = 0; i < d.length; i++) {
                        if (d[i] == Shape.BATCH) {
                            d[i] = BATCH_MARK;
                        }
                    }
                    int start = (int) a.i("start", 0);
                    int end = (int) a.i("end", d.length);
                    start = Math.max(0, start < 0 ? start + d.length : start);
                    end = Math.min(d.length, end < 0 ? end + d.length : end);
                    put(n, new Known(DataType.INT64, new long[] {Math.max(0, end - start)}, null,
                            Arrays.copyOfRange(d, start, Math.max(start, end))));
                }
                case "Gather" -> {
                    Known data = known(n, 0, "data");
                    Known idx = known(n, 1, "indices");
                    if (data.longs() == null || data.dims().length != 1 || a.i("axis", 0) != 0) {
                        throw new IllegalArgumentException("only Gather on a folded rank-1 int64 shape is supported");
                    }
                    long[] out = new long[idx.count()];
                    for (int i = 0; i < out.length; i++) {
                        long j = idx.longs()[i];
                        out[i] = data.longs()[(int) (j < 0 ? j + data.count() : j)];
                    }
                    put(n, new Known(DataType.INT64, idx.dims(), null, out));
                }
                case "Cast" -> {
                    int to = (int) a.i("to", 1);
                    Object x = get(n, 0);
                    if (x instanceof Known k) {
                        put(n, castKnown(k, to));
                    } else {
                        put(n, g.cast((Value) x, to == 1 ? DataType.FLOAT : to == 7 ? DataType.INT64 : DataType.BOOL));
                    }
                }
                case "Add", "Sub", "Mul", "Div" -> {
                    Value x = in(n, 0);
                    Value y = in(n, 1);
                    put(n, switch (n.getOpType()) {
                        case "Add" -> g.add(x, y);
                        case "Sub" -> g.sub(x, y);
                        case "Mul" -> g.mul(x, y);
                        default -> g.div(x, y);
                    });
                }
                case "Neg" -> put(n, g.neg(in(n, 0)));
                case "Exp" -> put(n, g.exp(in(n, 0)));
                case "Log" -> put(n, g.log(in(n, 0)));
                case "Sqrt" -> put(n, g.sqrt(in(n, 0)));
                case "Relu" -> put(n, g.relu(in(n, 0)));
                case "LeakyRelu" -> put(n, g.leakyRelu(in(n, 0), a.f("alpha", 0.01f)));
                case "Sigmoid" -> put(n, g.sigmoid(in(n, 0)));
                case "Tanh" -> put(n, g.tanh(in(n, 0)));
                case "Softplus" -> put(n, g.softplus(in(n, 0)));
                case "MatMul" -> put(n, g.matmul(in(n, 0), in(n, 1)));
                case "Gemm" -> put(n, g.gemm(in(n, 0), in(n, 1), get(n, 2) == null ? null : in(n, 2),
                        a.i("transA", 0) == 1, a.i("transB", 0) == 1, a.f("alpha", 1f), a.f("beta", 1f)));
                case "Conv", "ConvTranspose" -> {
                    boolean transposed = n.getOpType().equals("ConvTranspose");
                    Value x = in(n, 0);
                    Value w = in(n, 1);
                    Value bias = get(n, 2) == null ? null : in(n, 2);
                    if (a.i("group", 1) != 1 || !a.s("auto_pad", "NOTSET").equals("NOTSET")
                            || (a.has("output_shape"))) {
                        throw new IllegalArgumentException("only group 1, explicit pads and no output_shape are"
                                + " supported");
                    }
                    int stride = (int) a.uniform("strides", 1);
                    int pad = (int) a.uniform("pads", 0);
                    int dilation = (int) a.uniform("dilations", 1);
                    int outPad = transposed ? (int) a.uniform("output_padding", 0) : 0;
                    ConvOptions o = new ConvOptions(stride, pad, dilation, outPad);
                    put(n, transposed ? g.convTranspose(x, w, bias, o) : g.conv(x, w, bias, o));
                }
                case "BatchNormalization" -> {
                    for (int i = 1; i < n.getOutputCount(); i++) {
                        if (!n.getOutput(i).isEmpty()) {
                            env.put(n.getOutput(i), new Unusable("the running statistics BatchNormalization "
                                    + label + " returns"));
                        }
                    }
                    Value x = in(n, 0);
                    Value scale = in(n, 1);
                    Value bias = in(n, 2);
                    Value mean = value(get(n, 3), n.getInput(3), true);
                    Value var = value(get(n, 4), n.getInput(4), true);
                    env.put(n.getOutput(0), g.batchNormalization(x, scale, bias, mean, var, a.f("epsilon", 1e-5f),
                            a.f("momentum", 0.9f), g.phase() == org.onnxtoolkit.api.graph.Phase.TRAINING));
                }
                case "Reshape" -> {
                    Value x = in(n, 0);
                    long[] target = known(n, 1, "shape").longs().clone();
                    for (int i = 0; i < target.length; i++) {
                        if (target[i] == BATCH_MARK) {
                            if (i < x.rank() && x.shape().dim(i) == Shape.BATCH) {
                                target[i] = 0;
                            } else {
                                throw new IllegalArgumentException("the batch dimension moves to axis " + i
                                        + ", which the importer cannot resolve; export with a fixed batch size");
                            }
                        }
                    }
                    put(n, g.reshape(x, target));
                }
                case "Flatten" -> {
                    Value x = in(n, 0);
                    long axis = a.i("axis", 1);
                    put(n, g.flatten(x, (int) (axis < 0 ? axis + x.rank() : axis)));
                }
                case "Transpose" -> {
                    Value x = in(n, 0);
                    long[] perm = a.ints("perm");
                    if (perm == null) {
                        perm = new long[x.rank()];
                        for (int i = 0; i < perm.length; i++) {
                            perm[i] = perm.length - 1 - i;
                        }
                    }
                    put(n, g.transpose(x, perm));
                }
                case "ReduceSum" -> {
                    Value x = in(n, 0);
                    Known axes = known(n, 1, "axes");
                    if (axes == null && a.i("noop_with_empty_axes", 0) == 1) {
                        put(n, x);
                    } else {
                        put(n, g.reduceSum(x, axes == null ? new long[0] : axes.longs(), a.i("keepdims", 1) == 1));
                    }
                }
                case "ReduceMean" -> {
                    long[] axes = a.ints("axes");
                    put(n, g.reduceMean(in(n, 0), axes == null ? new long[0] : axes, a.i("keepdims", 1) == 1));
                }
                case "MaxPool", "AveragePool" -> {
                    if (a.i("ceil_mode", 0) != 0 || !a.s("auto_pad", "NOTSET").equals("NOTSET")
                            || a.uniform("dilations", 1) != 1 || a.i("storage_order", 0) != 0
                            || n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                        throw new IllegalArgumentException("only ceil_mode 0, explicit pads, dilation 1 and no"
                                + " Indices output are supported");
                    }
                    long[] kernel = a.ints("kernel_shape");
                    int stride = (int) a.uniform("strides", 1);
                    int pad = (int) a.uniform("pads", 0);
                    if (n.getOpType().equals("AveragePool")) {
                        if (pad > 0 && a.i("count_include_pad", 0) == 0) {
                            throw new IllegalArgumentException("padding that is left out of the average"
                                    + " (count_include_pad=0) is not supported; use count_include_pad=True");
                        }
                        put(n, g.averagePool(in(n, 0), kernel, stride, pad));
                    } else {
                        put(n, g.maxPool(in(n, 0), kernel, stride, pad));
                    }
                }
                case "GlobalAveragePool" -> put(n, g.globalAveragePool(in(n, 0)));
                case "Concat" -> {
                    boolean allKnown = true;
                    for (int i = 0; i < n.getInputCount(); i++) {
                        allKnown &= get(n, i) instanceof Known k && k.longs() != null && k.dims().length == 1;
                    }
                    if (allKnown) {
                        List<Long> joined = new ArrayList<>();
                        for (int i = 0; i < n.getInputCount(); i++) {
                            for (long v : ((Known) get(n, i)).longs()) {
                                joined.add(v);
                            }
                        }
                        long[] data = joined.stream().mapToLong(Long::longValue).toArray();
                        put(n, new Known(DataType.INT64, new long[] {data.length}, null, data));
                    } else {
                        List<Value> parts = new ArrayList<>();
                        for (int i = 0; i < n.getInputCount(); i++) {
                            parts.add(in(n, i));
                        }
                        put(n, g.concat(parts, (int) a.i("axis", 0)));
                    }
                }
                case "Squeeze", "Unsqueeze" -> {
                    Known axesK = known(n, 1, "axes");
                    Object x = get(n, 0);
                    long[] dims = x instanceof Known k ? k.dims() : ((Value) x).shape().dims();
                    long[] out = n.getOpType().equals("Squeeze") ? squeeze(dims, axesK)
                            : unsqueeze(dims, axesK);
                    if (x instanceof Known k) {
                        put(n, new Known(k.type(), out, k.floats(), k.longs()));
                    } else {
                        long[] target = out.clone();
                        for (int i = 0; i < target.length; i++) {
                            if (target[i] == Shape.BATCH) {
                                target[i] = -1;
                            }
                        }
                        put(n, g.reshape((Value) x, target));
                    }
                }
                case "Softmax" -> put(n, g.softmax(in(n, 0), (int) a.i("axis", -1)));
                case "LogSoftmax" -> put(n, g.logSoftmax(in(n, 0), (int) a.i("axis", -1)));
                case "Dropout" -> {
                    for (int i = 1; i < n.getOutputCount(); i++) {
                        if (!n.getOutput(i).isEmpty()) {
                            env.put(n.getOutput(i), new Unusable("Dropout's mask"));
                        }
                    }
                    Known ratio = known(n, 1, "ratio");
                    float r = ratio == null ? 0.5f : ratio.floats()[0];
                    env.put(n.getOutput(0), g.dropout(in(n, 0), r));
                }
                case "Clip" -> {
                    Known min = known(n, 1, "min");
                    Known max = known(n, 2, "max");
                    put(n, g.clip(in(n, 0), min == null ? Float.NEGATIVE_INFINITY : min.floats()[0],
                            max == null ? Float.POSITIVE_INFINITY : max.floats()[0]));
                }
                default -> throw new IllegalArgumentException("the operator is not supported");
            }
        }

        private Known constant(Attrs a) {
            OnnxMl.AttributeProto t = a.get("value");
            try {
                if (t != null) {
                    return tensor(file, file.toAbsolutePath().getParent(), t.getT(), "a Constant");
                }
            } catch (OnnxImportException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (a.has("value_float")) {
                return new Known(DataType.FLOAT, new long[0], new float[] {a.f("value_float", 0f)}, null);
            }
            if (a.has("value_int")) {
                return new Known(DataType.INT64, new long[0], null, new long[] {a.i("value_int", 0)});
            }
            if (a.has("value_ints")) {
                long[] v = a.ints("value_ints");
                return new Known(DataType.INT64, new long[] {v.length}, null, v);
            }
            if (a.has("value_floats")) {
                List<Float> f = a.get("value_floats").getFloatsList();
                float[] v = new float[f.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = f.get(i);
                }
                return new Known(DataType.FLOAT, new long[] {v.length}, v, null);
            }
            throw new IllegalArgumentException("only tensor, float and int values are supported");
        }
    }

    /** A second output of a node that the importer does not compute (a Dropout mask, new running statistics). */
    private record Unusable(String what) {
    }

    private static Known castKnown(Known k, int to) {
        if (to == 1) {
            float[] f = new float[k.count()];
            for (int i = 0; i < f.length; i++) {
                f[i] = k.floats() != null ? k.floats()[i] : k.longs()[i];
            }
            return new Known(DataType.FLOAT, k.dims(), f, null);
        }
        if (to == 7 || to == 9) {
            long[] l = new long[k.count()];
            for (int i = 0; i < l.length; i++) {
                l[i] = k.longs() != null ? k.longs()[i] : (long) k.floats()[i];
                if (to == 9) {
                    l[i] = l[i] != 0 ? 1 : 0;
                }
            }
            return new Known(to == 7 ? DataType.INT64 : DataType.BOOL, k.dims(), null, l);
        }
        throw new IllegalArgumentException("a cast to element type " + to + " is not supported");
    }

    private static long[] squeeze(long[] dims, Known axesK) {
        Set<Integer> axes = new HashSet<>();
        if (axesK == null) {
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] == 1) {
                    axes.add(i);
                }
            }
        } else {
            for (long ax : axesK.longs()) {
                int i = (int) (ax < 0 ? ax + dims.length : ax);
                if (i < 0 || i >= dims.length || dims[i] != 1) {
                    throw new IllegalArgumentException("cannot squeeze axis " + ax + " of " + Arrays.toString(dims));
                }
                axes.add(i);
            }
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            if (!axes.contains(i)) {
                out.add(dims[i]);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] unsqueeze(long[] dims, Known axesK) {
        if (axesK == null) {
            throw new IllegalArgumentException("Unsqueeze needs axes");
        }
        int rank = dims.length + axesK.count();
        boolean[] inserted = new boolean[rank];
        for (long ax : axesK.longs()) {
            int i = (int) (ax < 0 ? ax + rank : ax);
            if (i < 0 || i >= rank || inserted[i]) {
                throw new IllegalArgumentException("invalid Unsqueeze axes " + Arrays.toString(axesK.longs()));
            }
            inserted[i] = true;
        }
        long[] out = new long[rank];
        int j = 0;
        for (int i = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : dims[j++];
        }
        return out;
    }

    /** A node's attributes by name. */
    private static final class Attrs {
        private final Map<String, OnnxMl.AttributeProto> byName = new HashMap<>();

        Attrs(OnnxMl.NodeProto n) {
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                byName.put(a.getName(), a);
            }
        }

        boolean has(String name) {
            return byName.containsKey(name);
        }

        OnnxMl.AttributeProto get(String name) {
            return byName.get(name);
        }

        long i(String name, long dflt) {
            OnnxMl.AttributeProto a = byName.get(name);
            return a == null ? dflt : a.getI();
        }

        float f(String name, float dflt) {
            OnnxMl.AttributeProto a = byName.get(name);
            return a == null ? dflt : a.getF();
        }

        String s(String name, String dflt) {
            OnnxMl.AttributeProto a = byName.get(name);
            return a == null ? dflt : a.getS().toStringUtf8();
        }

        long[] ints(String name) {
            OnnxMl.AttributeProto a = byName.get(name);
            return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }

        /** An INTS attribute whose values are all equal (one stride, one padding for every side). */
        long uniform(String name, long dflt) {
            long[] v = ints(name);
            if (v == null || v.length == 0) {
                return dflt;
            }
            for (long x : v) {
                if (x != v[0]) {
                    throw new IllegalArgumentException("'" + name + "' " + Arrays.toString(v) + " differs between"
                            + " axes or sides; only equal values are supported");
                }
            }
            return v[0];
        }
    }
}
