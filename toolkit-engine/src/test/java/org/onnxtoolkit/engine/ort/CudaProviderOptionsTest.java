package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing of the user's extra CUDA provider options (ORT itself checks the keys when a GPU session opens). */
class CudaProviderOptionsTest {

    @Test
    void pairsInTheOrderGivenWithBlanksIgnored() {
        CudaProviderOptions o = CudaProviderOptions.parse(
                " gpu_mem_limit = 2147483648 ,cudnn_conv_algo_search=HEURISTIC", "TOOLKIT_CUDA_OPTIONS");
        assertEquals(List.of("gpu_mem_limit", "cudnn_conv_algo_search"), List.copyOf(o.options().keySet()));
        assertEquals(Map.of("gpu_mem_limit", "2147483648", "cudnn_conv_algo_search", "HEURISTIC"), o.options());
        assertEquals("gpu_mem_limit=2147483648,cudnn_conv_algo_search=HEURISTIC", o.toString());
        assertEquals("TOOLKIT_CUDA_OPTIONS", o.source());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void emptyMeansNone(String text) {
        assertTrue(CudaProviderOptions.parse(text, "x").options().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu_mem_limit", "=1", "gpu_mem_limit=", "a=1,,b=2", "a=1,", "Gpu=1", "a b=1"})
    void malformedTextIsOneLineNamingTheSource(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaProviderOptions.parse(text, "TOOLKIT_CUDA_OPTIONS"));
        assertTrue(e.getMessage().startsWith("TOOLKIT_CUDA_OPTIONS: \""), e.getMessage());
        assertTrue(e.getMessage().contains("key=value"), e.getMessage());
    }

    @Test
    void repeatedKeysAndDeviceIdAreRefused() {
        assertEquals("x: use_tf32 is given twice", assertThrows(IllegalArgumentException.class,
                () -> CudaProviderOptions.parse("use_tf32=0,use_tf32=1", "x")).getMessage());
        assertEquals("x: device_id is set by --device cuda:N; remove it", assertThrows(
                IllegalArgumentException.class, () -> CudaProviderOptions.parse("device_id=1", "x")).getMessage());
    }

    @Test
    void thePropertyWinsOverTheVariable() {
        String before = System.getProperty(CudaProviderOptions.PROPERTY);
        try {
            System.setProperty(CudaProviderOptions.PROPERTY, "use_tf32=0");
            CudaProviderOptions o = CudaProviderOptions.fromSystem();
            assertEquals(Map.of("use_tf32", "0"), o.options());
            assertEquals("system property " + CudaProviderOptions.PROPERTY, o.source());
        } finally {
            if (before == null) {
                System.clearProperty(CudaProviderOptions.PROPERTY);
            } else {
                System.setProperty(CudaProviderOptions.PROPERTY, before);
            }
        }
    }
}
