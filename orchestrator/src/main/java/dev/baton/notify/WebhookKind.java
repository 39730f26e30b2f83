package dev.baton.notify;

import dev.baton.rollout.Event;
import dev.baton.rollout.Step;
import dev.baton.store.RolloutStatus;

import java.util.Arrays;
import java.util.Optional;

/** What a webhook can be told about, as named in the webhooks file and in the {@code event} field of a body. */
public enum WebhookKind {
    STARTED("started"),
    CANARY_WAITING("canary-waiting"),
    BATCH_DONE("batch-done"),
    PAUSED("paused"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    ROLLED_BACK("rolled-back"),
    ABORTED("aborted");

    private final String label;

    WebhookKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Optional<WebhookKind> named(String label) {
        return Arrays.stream(values()).filter(k -> k.label.equals(label)).findFirst();
    }

    public static String labels() {
        return String.join(", ", Arrays.stream(values()).map(WebhookKind::label).toList());
    }

    /** The rollout-wide engine events that are worth a webhook; host events never are. */
    static Optional<WebhookKind> of(Event event) {
        if (event.host() != null) return Optional.empty();
        boolean started = event.outcome() == Event.Outcome.STARTED;
        if (event.step() == Step.ROLLOUT && started) return Optional.of(STARTED);
        if (event.step() == Step.CANARY && started) return Optional.of(CANARY_WAITING);
        if (event.step() == Step.PAUSE && started) return Optional.of(PAUSED);
        if (event.step() == Step.BATCH && !started) return Optional.of(BATCH_DONE);
        return Optional.empty();
    }

    static WebhookKind of(RolloutStatus finalStatus) {
        return switch (finalStatus) {
            case SUCCEEDED -> SUCCEEDED;
            case ROLLED_BACK -> ROLLED_BACK;
            case ABORTED -> ABORTED;
            default -> FAILED;
        };
    }
}
