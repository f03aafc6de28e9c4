package org.onnxtoolkit.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.onnxtoolkit.engine.ort.Device;
import org.onnxtoolkit.engine.ort.OrtException;

/** The trainer's translation of a failed step, with synthetic ORT failures (CI has no GPU to exhaust). */
class TrainerOutOfMemoryTest {

    @Test
    void outOfMemoryBecomesOneLineWithTheBatchSize() {
        OrtException oom = new OrtException("TrainStep with inputs [x: [1024, 1, 28, 28]]", 6,
                "bfc_arena.cc:359 AllocateRawInternal Failed to allocate memory for requested buffer of size 536870912");
        RuntimeException e = Trainer.outOfMemoryOr(oom, Device.cuda(0), "a training step (epoch 1, batch 3)", 1024);
        assertEquals(TrainingException.class, e.getClass());
        assertEquals("cuda:0 ran out of memory in a training step (epoch 1, batch 3) at batch size 1024: use a smaller"
                + " --batch-size (for example 512)", e.getMessage());
        assertSame(oom, e.getCause());
    }

    @Test
    void otherFailuresPassThrough() {
        OrtException other = new OrtException("TrainStep", 2, "Got invalid dimensions for input: x");
        assertSame(other, Trainer.outOfMemoryOr(other, Device.cuda(0), "a training step", 128));
    }
}
