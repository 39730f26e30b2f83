package dev.baton.server;

import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import dev.baton.rollout.Event;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Step;

import static org.assertj.core.api.Assertions.assertThat;

class EventFanoutTest {
    private static LoggedEvent event(long seq) {
        return new LoggedEvent(seq, Instant.EPOCH.plusSeconds(seq), "web-1", Step.LEAVE, Event.Outcome.OK, 1L, null, "2.0.0", HostState.LEAVING, null);
    }

    private static List<StreamItem> drain(Feed feed) {
        List<StreamItem> items = new ArrayList<>();
        StreamItem item;
        while ((item = feed.poll()) != null) {
            items.add(item);
            if (item instanceof StreamItem.End) break;
        }
        return items;
    }

    @Test
    void aWatcherGetsThePastAfterItsSeqTheStatusThenLiveItemsThenTheEnd() throws Exception {
        EventFanout fanout = new EventFanout(List.of(event(1), event(2), event(3)), RolloutStatus.RUNNING, 100);
        Feed feed = fanout.subscribe(1);
        fanout.publish(event(4));
        fanout.publish(RolloutStatus.SUCCEEDED);
        fanout.end();
        assertThat(drain(feed)).containsExactly(new StreamItem.EventItem(event(2)), new StreamItem.EventItem(event(3)),
                new StreamItem.StatusItem(RolloutStatus.RUNNING), new StreamItem.EventItem(event(4)),
                new StreamItem.StatusItem(RolloutStatus.SUCCEEDED), new StreamItem.End(false));
        assertThat(fanout.watchers()).isZero();

        Feed late = fanout.subscribe(3);
        assertThat(drain(late)).containsExactly(new StreamItem.EventItem(event(4)),
                new StreamItem.StatusItem(RolloutStatus.SUCCEEDED), new StreamItem.End(false));
    }

    @Test
    void aWatcherThatFallsBehindIsDroppedAndNeverBlocksThePublisher() throws Exception {
        EventFanout fanout = new EventFanout(List.of(), RolloutStatus.RUNNING, 4);
        Feed slow = fanout.subscribe(0);
        Feed fast = fanout.subscribe(0);
        assertThat(fast.poll()).isEqualTo(new StreamItem.StatusItem(RolloutStatus.RUNNING));
        List<StreamItem> fastItems = new ArrayList<>();
        long start = System.nanoTime();
        for (long seq = 1; seq <= 20; seq++) {
            fanout.publish(event(seq));
            StreamItem item = fast.poll();
            if (item != null) fastItems.add(item);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(fastItems).hasSize(20);
        assertThat(fanout.watchers()).isEqualTo(1);

        assertThat(slow.poll()).isEqualTo(new StreamItem.StatusItem(RolloutStatus.RUNNING));
        assertThat(slow.poll()).isEqualTo(new StreamItem.End(true));
    }

    @Test
    void aWatcherIsSignalledWhenItComesAndAtEachPublishAndAtTheEnd() {
        EventFanout fanout = new EventFanout(List.of(event(1)), RolloutStatus.RUNNING, 100);
        Feed feed = fanout.subscribe(0);
        AtomicInteger signals = new AtomicInteger();
        feed.whenReady(signals::incrementAndGet);
        assertThat(signals).hasValue(1);
        assertThat(drain(feed)).containsExactly(new StreamItem.EventItem(event(1)), new StreamItem.StatusItem(RolloutStatus.RUNNING));
        fanout.publish(event(2));
        fanout.publish(RolloutStatus.SUCCEEDED);
        assertThat(signals).hasValue(3);
        fanout.end();
        assertThat(signals).hasValue(4);
        assertThat(drain(feed)).containsExactly(new StreamItem.EventItem(event(2)), new StreamItem.StatusItem(RolloutStatus.SUCCEEDED),
                new StreamItem.End(false));
    }

    @Test
    void aClosedWatcherIsForgotten() {
        EventFanout fanout = new EventFanout(List.of(), RolloutStatus.RUNNING, 4);
        Feed feed = fanout.subscribe(0);
        assertThat(fanout.watchers()).isEqualTo(1);
        feed.close();
        assertThat(fanout.watchers()).isZero();
    }
}
