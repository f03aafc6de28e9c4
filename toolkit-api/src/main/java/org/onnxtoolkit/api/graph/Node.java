package org.onnxtoolkit.api.graph;

import java.util.List;

/**
 * One operation in a {@link Graph}: its inputs, outputs and ONNX attributes. Created only by the graph
 * builder, which has validated the inputs and inferred the output shapes. Immutable.
 *
 * @param op         the operation: a {@linkplain Op#isBuilderOp() builder} row of the operator table
 * @param name       unique node name, hierarchical like the values ({@code encoder/fc1/Gemm})
 * @param inputs     inputs in ONNX order; optional inputs that are absent are simply left off the end
 * @param outputs    outputs in ONNX order
 * @param attributes ONNX attributes
 */
public record Node(Op op, String name, List<Value> inputs, List<Value> outputs, Attributes attributes) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Value input(int i) {
        return inputs.get(i);
    }

    public Value output() {
        return outputs.get(0);
    }

    @Override
    public String toString() {
        return op.onnxName() + " '" + name + "'";
    }
}
