package dev.baton.plan;

import dev.baton.fleet.Tools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ExamplePlansTest {
    @Test
    void everyExamplePlanIsValid() throws IOException {
        List<Path> plans;
        try (Stream<Path> files = Files.list(Tools.repo().resolve("plans"))) {
            plans = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(plans).hasSizeGreaterThanOrEqualTo(4);
        for (Path plan : plans) {
            assertThat(new PlanLoader().load(plan).service()).as(plan.toString()).isEqualTo("web");
        }
    }
}
