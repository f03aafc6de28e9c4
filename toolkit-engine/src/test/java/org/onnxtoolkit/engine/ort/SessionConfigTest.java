package org.onnxtoolkit.engine.ort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SessionConfigTest {

    @Test
    void parsesDevices() {
        assertEquals(Device.cpu(), Device.parse("cpu"));
        assertEquals(Device.cpu(), Device.parse(" CPU "));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.cuda(1), Device.parse("cuda:1"));
        assertEquals("cuda:1", Device.parse("cuda:1").toString());
        assertEquals("cpu", Device.cpu().toString());
    }

    @Test
    void rejectsBadDeviceText() {
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:1:2", "", "cuda:99999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad));
            assertEquals("device must be \"cpu\", \"cuda\" or \"cuda:N\" with N >= 0 but was \"" + bad + "\"",
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Device.parse(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.cuda(-2));
        assertEquals("CUDA device index must be >= 0 but was -2", e.getMessage());
    }

    @Test
    void validatesThreadCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SessionConfig(Device.cpu(), -1, 0));
        assertEquals("intraOpThreads must be >= 0 (0 = ORT default) but was -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SessionConfig(Device.cpu(), 0, -3));
        assertEquals("interOpThreads must be >= 0 (0 = ORT default) but was -3", e.getMessage());
        assertThrows(NullPointerException.class, () -> new SessionConfig(null, 0, 0));
        assertEquals(new SessionConfig(Device.cuda(2), 4, 0), SessionConfig.cpu().withIntraOpThreads(4)
                .withDevice(Device.cuda(2)));
    }
}
