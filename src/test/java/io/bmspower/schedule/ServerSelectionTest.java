package io.bmspower.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bmspower.api.v1alpha1.ServerSelector;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.SimulatorFixture;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Selectors resolved over real HTTP against the simulator, under every reading of the list API's
 * paging (offset as a page number or a row offset; count total or capped).
 */
class ServerSelectionTest {

  private static SimulatorFixture sim(SimulatorOptions.ListPaging paging) {
    return SimulatorFixture.start(
        o -> {
          o.servers = 2500;
          o.listPaging = paging;
          o.rateLimits = false;
          o.tags =
              List.of(
                  new SimulatorOptions.TagShare("env=lab", 0.4),
                  new SimulatorOptions.TagShare("team=a", 0.5));
        });
  }

  private static List<String> lower(List<String> ids) {
    return ids.stream().map(s -> s.toLowerCase(Locale.ROOT)).sorted().toList();
  }

  @ParameterizedTest
  @EnumSource(SimulatorOptions.ListPaging.class)
  void aTagSelectorSelectsExactlyTheServersCarryingEveryTag(SimulatorOptions.ListPaging paging) {
    try (var sim = sim(paging)) {
      var selector = new ServerSelector();
      selector.setTags(List.of("env=lab", "team=a"));

      List<String> selected = ServerSelection.resolve(sim.client(sim.akSk()), selector);

      var both =
          sim.simulator.serversTagged("env=lab").stream()
              .filter(sim.simulator.serversTagged("team=a")::contains)
              .collect(Collectors.toList());
      assertThat(selected).isEqualTo(lower(both));
      assertThat(selected).hasSizeGreaterThan(300);
    }
  }

  @ParameterizedTest
  @EnumSource(SimulatorOptions.ListPaging.class)
  void aNamePatternAndIdsAddUp(SimulatorOptions.ListPaging paging) {
    try (var sim = sim(paging)) {
      List<String> inventory = sim.simulator.inventory();
      String first = sim.simulator.serverName(inventory.get(0));
      var selector = new ServerSelector();
      selector.setNamePattern(first);
      selector.setIds(List.of(inventory.get(2499).toUpperCase(Locale.ROOT)));

      List<String> selected = ServerSelection.resolve(sim.client(sim.akSk()), selector);

      assertThat(selected).isEqualTo(lower(List.of(inventory.get(0), inventory.get(2499))));
    }
  }

  @ParameterizedTest
  @EnumSource(SimulatorOptions.ListPaging.class)
  void moreThanTenThousandIsAClearError(SimulatorOptions.ListPaging paging) {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.servers = 10_500;
              o.listPaging = paging;
              o.rateLimits = false;
              o.tags = List.of(new SimulatorOptions.TagShare("env=lab", 1.0));
            })) {
      var selector = new ServerSelector();
      selector.setTags(List.of("env=lab"));

      assertThatThrownBy(() -> ServerSelection.resolve(sim.client(sim.akSk()), selector))
          .isInstanceOf(ServerSelection.TooLarge.class)
          .hasMessageContaining("a run acts on at most 10000");
    }
  }
}
