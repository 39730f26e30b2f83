package dev.baton.rollout;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pacing of {@code prepare: ahead} and the edges of {@link Preparation}, with fetches that only record themselves. */
class PreparationTest {
    private final List<String> fetched = Collections.synchronizedList(new ArrayList<>());

    @Test
    void anEmptyBatchPassesAtOnceAndNoBatchesAtAllIsNothingToDo() throws Exception {
        try (Preparation none = new Preparation(List.of(), false, this::fetch)) {
            none.rolling(0);
        }
        HostLifecycle web2 = host("web-2");
        try (Preparation preparation = new Preparation(List.of(List.of(), List.of(web2)), false, this::fetch)) {
            preparation.rolling(0);

            assertThat(preparation.await("web-2")).isNull();
            assertThat(preparation.covers("web-1")).isFalse();
            assertThat(preparation.await("web-1")).as("not one of its hosts").isNull();
        }
        assertThat(fetched).containsExactly("web-2");
    }

    @Test
    void theNextBatchFetchesOnlyOnceThisOneRollsAndFetchedEverything() throws Exception {
        try (Preparation preparation = new Preparation(List.of(List.of(host("web-1")), List.of(host("web-2"))), false, this::fetch)) {
            assertThat(preparation.await("web-1")).isNull();
            Thread.sleep(200);
            assertThat(fetched).as("batch 2 waits for batch 1 to roll").containsExactly("web-1");

            preparation.rolling(0);
            assertThat(preparation.await("web-2")).isNull();
        }
        assertThat(fetched).containsExactly("web-1", "web-2");
    }

    @Test
    void prepareAllFetchesEveryHostAtOnceAndReportsFailuresInScheduleOrder() throws Exception {
        List<List<HostLifecycle>> batches = List.of(List.of(host("web-9")), List.of(host("web-1"), host("web-5")));
        try (Preparation preparation = new Preparation(batches, true, (host, open) -> {
            fetch(host, open);
            return host.instance().id().equals("web-9") || host.instance().id().equals("web-5") ? "503" : null;
        })) {
            Map<String, String> failed = preparation.awaitAll();

            assertThat(failed.keySet()).containsExactly("web-9", "web-5");
        }
        assertThat(fetched).containsExactlyInAnyOrder("web-9", "web-1", "web-5");
    }

    @Test
    void aHostWhoseBatchNeverStartedBeforeTheEndIsNotFetched() throws Exception {
        Preparation preparation = new Preparation(List.of(List.of(host("web-1")), List.of(host("web-2"))), false, this::fetch);
        preparation.close();

        assertThat(preparation.await("web-2")).isEqualTo("not fetched: the rollout ended first");
        assertThat(fetched).doesNotContain("web-2");
    }

    private String fetch(HostLifecycle host, java.util.function.BooleanSupplier open) {
        fetched.add(host.instance().id());
        return null;
    }

    private static HostLifecycle host(String id) {
        return new HostLifecycle(new Instance(id, "web", "node-1", "127.0.0.1", 8080, Map.of()), "2.0.0", HostState.PENDING, Journal.NONE);
    }
}
