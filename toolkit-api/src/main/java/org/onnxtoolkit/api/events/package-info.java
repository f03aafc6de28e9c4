/**
 * What happens during training, as plain records: the training loop announces each event to its listeners,
 * and the toolkit fires the same records as CDI events into the plugin containers, so that a plugin can
 * observe training with an ordinary observer method, for example
 * {@code void onEpoch(@Observes EpochDone e) { ... }}, without depending on anything but this API.
 *
 * <p>Events are immutable and carry no native handles. Observers are called on the training thread, after
 * the run folder recorded the event (an {@link org.onnxtoolkit.api.events.EpochDone} observer sees an epoch
 * whose checkpoint and metrics are on disk); an observer that throws stops the run with its message, like
 * any failure of the run.
 */
package org.onnxtoolkit.api.events;
