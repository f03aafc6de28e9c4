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

    @Test
    void autoSpinsOnlyWhenOurThreadsFitBesideTheOtherProcessesLoad() {
        SessionConfig.Spinning auto = SessionConfig.Spinning.AUTO;
        assertEquals(true, auto.spins(2, 2, 0.1));
        assertEquals(true, auto.spins(0, 2, 0.2), "0 threads means one per core");
        assertEquals(false, auto.spins(2, 2, 0.5), "half a core busy elsewhere: two threads would share");
        assertEquals(true, auto.spins(1, 2, 0.9), "one thread fits beside one busy core");
        assertEquals(false, auto.spins(1, 2, 1.9));
        assertEquals(false, auto.spins(2, 2, -1), "unknown load: do not spin");
        assertEquals(true, SessionConfig.Spinning.ON.spins(2, 2, 5));
        assertEquals(false, SessionConfig.Spinning.OFF.spins(1, 16, 0));
        assertEquals(SessionConfig.Spinning.AUTO, SessionConfig.cpu().spinning());
        assertEquals(SessionConfig.Spinning.OFF, SessionConfig.cpu().withSpinning(SessionConfig.Spinning.OFF)
                .withIntraOpThreads(3).withDevice(Device.cpu()).spinning(), "the withers keep the policy");
    }

    @Test
    void coreLoadReadsTheAggregateCpuLineAndRefusesOthers() {
        long[] bt = CoreLoad.busyAndTotal(java.util.List.of(
                "cpu  100 5 50 1000 20 1 2 3 0 0", "cpu0 50 2 25 500 10 0 1 1 0 0", "intr 1 2 3"));
        // busy = user + nice + system + irq + softirq + steal; idle and iowait are not busy
        assertEquals(100 + 5 + 50 + 1 + 2 + 3, bt[0]);
        assertEquals(100 + 5 + 50 + 1000 + 20 + 1 + 2 + 3, bt[1]);
        assertThrows(IllegalArgumentException.class, () -> CoreLoad.busyAndTotal(java.util.List.of("cpu0 1 2 3 4")));
        assertThrows(NumberFormatException.class, () -> CoreLoad.busyAndTotal(java.util.List.of("cpu  1 x 3 4")));
        assertEquals(-1, CoreLoad.measure(java.nio.file.Path.of("/nonexistent/proc/stat")));
    }

    @Test
    void ownCpuTicksAreReadAfterTheCommandName() {
        // Fields 14 and 15 (utime, stime); the command name may hold spaces and parentheses.
        String line = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 30 0 12345";
        assertEquals(250 + 37, CoreLoad.ownTicks(line));
        assertThrows(IllegalArgumentException.class, () -> CoreLoad.ownTicks("4242 java S 1 2"));
        assertThrows(IllegalArgumentException.class, () -> CoreLoad.ownTicks("4242 (java) S 1 2 3"));
        assertThrows(NumberFormatException.class,
                () -> CoreLoad.ownTicks("1 (j) S 1 1 1 0 -1 0 0 0 0 0 x 3 0 0"));
        assertEquals(-1, CoreLoad.measure(java.nio.file.Path.of("/proc/stat"),
                java.nio.file.Path.of("/nonexistent/proc/self/stat")));
    }

    @Test
    void coreLoadOfThisMachineIsANumberOfCores() {
        double busy = CoreLoad.measure(java.nio.file.Path.of("/proc/stat"));
        org.junit.jupiter.api.Assumptions.assumeTrue(busy >= 0, "no /proc/stat on this platform");
        int cores = Runtime.getRuntime().availableProcessors();
        org.junit.jupiter.api.Assertions.assertTrue(busy <= cores + 0.5, "busy cores " + busy + " of " + cores);
    }
}
