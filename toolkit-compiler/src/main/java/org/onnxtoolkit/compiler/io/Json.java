package org.onnxtoolkit.compiler.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The toolkit's one JSON configuration, for every file it writes and reads (manifests, {@code run.json},
 * {@code state.json}, {@code model.json}): indented output with map keys sorted, so that files are
 * deterministic and diff well; strict reading, so that a damaged file is refused rather than half
 * believed: a fraction where a count belongs, a null where a number belongs, or text after the document is an
 * error, not a silent 0. Unknown properties are ignored, so files of a newer toolkit stay readable.
 *
 * <p>The mapper is thread-safe once configured; it must not be reconfigured.
 */
public final class Json {
    /** The shared mapper. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }
}
