package org.onnxtoolkit.runtime.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.onnxtoolkit.api.events.EpochDone;
import org.onnxtoolkit.api.events.EpochMetrics;
import org.onnxtoolkit.api.events.EpochStarted;
import org.onnxtoolkit.api.events.StepDone;
import org.onnxtoolkit.engine.training.TrainingContext;
import org.onnxtoolkit.engine.training.TrainingListener;

/**
 * Shows training progress: on a terminal a progress bar per epoch with images/s and ETA; otherwise (logs,
 * CI, pipes) a plain line every {@value #LINE_INTERVAL_SECONDS} seconds. Every epoch ends with one summary
 * line.
 */
final class ConsoleProgress implements TrainingListener {
    static final int LINE_INTERVAL_SECONDS = 10;

    private final PrintWriter out;
    private final boolean terminal;
    private ProgressBar bar;
    private long lastLine;
    private int epochs;

    ConsoleProgress(PrintWriter out) {
        this.out = out;
        this.terminal = System.console() != null && System.getenv("CI") == null;
    }

    @Override
    public void epochStarted(EpochStarted event) {
        int epoch = event.epoch();
        int images = event.images();
        this.epochs = event.epochs();
        lastLine = System.nanoTime();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                    .setInitialMax(images).setUnit(" img", 1).showSpeed().setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).continuousUpdate().build();
        }
    }

    @Override
    public void stepDone(StepDone e) {
        if (bar != null) {
            bar.stepTo(e.imagesDone());
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f", e.loss()));
        } else if (System.nanoTime() - lastLine > LINE_INTERVAL_SECONDS * 1_000_000_000L) {
            lastLine = System.nanoTime();
            out.printf(Locale.ROOT, "epoch %d/%d  batch %d/%d  loss %.4f  %.0f img/s%n", e.epoch(), epochs, e.batch(),
                    e.batches(), e.loss(), e.imagesPerSecond());
            out.flush();
        }
    }

    @Override
    public void epochDone(EpochDone event, TrainingContext context) {
        EpochMetrics m = event.metrics();
        closeBar();
        out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  test loss %.4f  test negative ELBO %.2f nats/image (recon %.2f,"
                        + " kl %.2f)  %.0f img/s  %.1f s%n", m.epoch(), epochs, m.trainLoss(), m.testLoss(),
                m.testNegElbo(), m.recon(), m.kl(), m.imagesPerSecond(), m.seconds());
        out.flush();
    }

    @Override
    public void info(String message) {
        closeBar();
        out.println(message);
        out.flush();
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
