package org.onnxtoolkit.api.graph;

/**
 * Thrown when a graph is used in a way that cannot produce a valid model: shapes that do not fit, a wrong
 * rank, a duplicate or reserved name, a value from another graph. The message names the operation, what
 * was expected and what was received.
 */
public class GraphBuildException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public GraphBuildException(String message) {
        super(message);
    }
}
