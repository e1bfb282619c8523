package io.bmspower.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import io.bmspower.testing.MutableClock;
import io.bmspower.testing.SimulatorFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@code --tags}: parsing, which servers carry which tag, and changing tags at runtime. */
class SimulatorTagsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

  // ---- --tags parsing ------------------------------------------------------------------------

  @Test
  void aSpecIsTagsWithTheirShares() {
    SimulatorOptions options =
        SimulatorOptions.parse(new String[] {"--tags", "team=a:0.3, env=lab:1"}, Map.of());
    SimulatorOptions fromEnv =
        SimulatorOptions.parse(new String[0], Map.of("BMS_SIM_TAGS", "url=a:b:0.25,empty=:.5"));

    assertThat(options.tags)
        .containsExactly(
            new SimulatorOptions.TagShare("team=a", 0.3),
            new SimulatorOptions.TagShare("env=lab", 1.0));
    assertThat(fromEnv.tags)
        .containsExactly(
            new SimulatorOptions.TagShare("url=a:b", 0.25),
            new SimulatorOptions.TagShare("empty=", 0.5));
    assertThat(new SimulatorOptions().tags).isEmpty();
  }

  @Test
  void aMalformedSpecIsOneLineNamingTheBadEntry() {
    assertThat(problem("team=a:0.3,env=lab:1.5"))
        .isEqualTo(
            "--tags: invalid value 'team=a:0.3,env=lab:1.5' (expected KEY=VALUE:SHARE,...:"
                + " entry 'env=lab:1.5': SHARE '1.5' is not a decimal in (0,1])");
    assertThat(problem("env=lab:0")).contains("entry 'env=lab:0': SHARE '0' is not a decimal");
    assertThat(problem("env=lab:-0.5")).contains("entry 'env=lab:-0.5': SHARE '-0.5'");
    assertThat(problem("env=lab:NaN")).contains("entry 'env=lab:NaN': SHARE 'NaN'");
    assertThat(problem("env=lab:x")).contains("entry 'env=lab:x': SHARE 'x' is not a decimal");
    assertThat(problem("env=lab")).contains("entry 'env=lab': no :SHARE");
    assertThat(problem("lab:0.5")).contains("entry 'lab:0.5': the tag is not KEY=VALUE");
    assertThat(problem("=lab:0.5")).contains("entry '=lab:0.5': the tag is not KEY=VALUE");
    assertThat(problem("env=my lab:0.5")).contains("entry 'env=my lab:0.5': the tag has a blank");
    assertThat(problem("env=a:0.1,env=b:0.2")).contains("entry 'env=b:0.2': the key env is given");
    assertThat(problem("env=a:0.1,")).contains("an empty entry");
    assertThat(problem("env=a:0.1,env=b:0.2")).doesNotContain("\n");
  }

  @Test
  void theHelpShowsTheOption() {
    var out = new ByteArrayOutputStream();
    SimulatorOptions.usage(new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--tags KEY=VALUE:SHARE,...")
        .contains("__type_baremetal")
        .contains("BMS_SIM_TAGS");
  }

  // ---- which servers carry a tag ---------------------------------------------------------------

  @Test
  void eachTagIsOnExactlyItsShareOfTheInventoryTheSameServersForTheSameSeed() {
    var one = client(o -> tags(o, 5000, 42, "env=lab:0.3,team=a:0.5,odd=x:0.0002"));
    var again = client(o -> tags(o, 5000, 42, "env=lab:0.3,team=a:0.5,odd=x:0.0002"));
    var alone = client(o -> tags(o, 5000, 42, "env=lab:0.3"));
    var otherSeed = client(o -> tags(o, 5000, 43, "env=lab:0.3"));

    List<String> lab = one.serversTagged("env=lab");
    assertThat(lab).hasSize(1500);
    assertThat(one.serversTagged("team=a")).hasSize(2500);
    assertThat(one.serversTagged("odd=x")).hasSize(1);
    assertThat(one.serversTagged("__type_baremetal")).containsExactlyElementsOf(one.inventory());
    assertThat(again.serversTagged("env=lab")).isEqualTo(lab);
    assertThat(again.serversTagged("team=a")).isEqualTo(one.serversTagged("team=a"));
    // A tag's servers do not depend on the other entries of the spec.
    assertThat(alone.serversTagged("env=lab")).isEqualTo(lab);
    assertThat(otherSeed.serversTagged("env=lab")).hasSize(1500).isNotEqualTo(lab);
    // In inventory order, and spread over it: not simply the first 1,500.
    assertThat(lab).isSubsetOf(one.inventory()).isNotEqualTo(one.inventory().subList(0, 1500));
    List<String> order = one.inventory().stream().filter(new HashSet<>(lab)::contains).toList();
    assertThat(lab).isEqualTo(order);
    // Independent: some servers have both tags, some one, some neither.
    Set<String> team = new HashSet<>(one.serversTagged("team=a"));
    long both = lab.stream().filter(team::contains).count();
    assertThat(both).isBetween(600L, 900L);
  }

  @Test
  void aShareOfOneTagsEveryServerAndTheServersShowTheirTagsAndFlavor() {
    var cloud = client(o -> tags(o, 20, 7, "env=lab:1,team=a:0.5"));
    String tagged = cloud.serversTagged("team=a").get(0);
    String untagged =
        cloud.inventory().stream()
            .filter(id -> !cloud.serversTagged("team=a").contains(id))
            .findFirst()
            .orElseThrow();

    ServerDetails a = cloud.getServer(tagged);
    ServerDetails b = cloud.getServer(untagged);
    var json = cloud.api().server(tagged, clock.instant()).body().path("server");

    assertThat(cloud.serversTagged("env=lab")).hasSize(20);
    assertThat(a.tags()).containsExactly("__type_baremetal", "env=lab", "team=a");
    assertThat(b.tags()).containsExactly("__type_baremetal", "env=lab");
    assertThat(a.name()).isEqualTo("bms-" + (cloud.inventory().indexOf(tagged) + 1));
    assertThat(json.path("flavor").path("id").asText()).isEqualTo("physical.s4.medium");
    assertThat(json.path("flavor").path("name").asText()).isEqualTo("physical.s4.medium");
    assertThat(json.path("flavor").path("vcpus").isTextual()).isTrue();
  }

  // ---- tags at runtime -----------------------------------------------------------------------

  @Test
  void tagsChangeAtRuntimeAndAKeyHasOneValue() throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = 10)) {
      BmsSimulator simulator = sim.simulator;
      List<String> ids = simulator.inventory();

      simulator.tag(List.of(ids.get(3), ids.get(1)), "team=a");
      simulator.tag(List.of(ids.get(5)), "team=a");
      List<String> afterTagging = simulator.serversTagged("team=a");
      simulator.tag(List.of(ids.get(1)), "team=b");
      simulator.untag(List.of(ids.get(5), ids.get(7)), "team=a");

      assertThat(afterTagging).containsExactly(ids.get(1), ids.get(3), ids.get(5));
      assertThat(simulator.serversTagged("team=a")).containsExactly(ids.get(3));
      assertThat(simulator.serversTagged("team=b")).containsExactly(ids.get(1));
      assertThat(simulator.tags(ids.get(1))).containsExactly("__type_baremetal", "team=b");
      assertThat(simulator.tags(ids.get(5))).containsExactly("__type_baremetal");
      assertThat(simulator.tags("0f0e0d0c-0b0a-4908-8706-050403020100")).isNull();
      assertThat(simulator.serverName(ids.get(2))).isEqualTo("bms-3");
      assertThat(simulator.serversNamed("bms-3")).containsExactly(ids.get(2));
      assertThat(simulator.serversNamed("nope")).isEmpty();
      // Over the wire too.
      assertThat(sim.client(sim.akSk()).getServer(ids.get(1)).tags())
          .containsExactly("__type_baremetal", "team=b");
    }
  }

  @Test
  void taggingAnUnknownServerOrAMalformedTagChangesNothing() throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.servers = 5)) {
      BmsSimulator simulator = sim.simulator;
      String known = simulator.inventory().get(0);
      String ghost = "0f0e0d0c-0b0a-4908-8706-050403020100";

      assertThatThrownBy(() -> simulator.tag(List.of(known, ghost), "team=a"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(ghost);
      assertThatThrownBy(() -> simulator.tag(List.of(known), "a=1,b=2"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> simulator.tag(List.of(known), " "))
          .isInstanceOf(IllegalArgumentException.class);

      assertThat(simulator.tags(known)).containsExactly("__type_baremetal");
    }
  }

  @Test
  void theInProcessClientFiltersByTagBeforePaging() {
    var cloud = client(o -> tags(o, 100, 42, "env=lab:0.25"));
    List<String> lab = cloud.serversTagged("env=lab");

    ServerPage first = cloud.listServers(1, 10, "env=lab");
    ServerPage third = cloud.listServers(3, 10, "env=lab");
    ServerPage all = cloud.listServers(1, 1000, null);

    assertThat(first.count()).isEqualTo(25);
    assertThat(first.servers()).extracting(ServerDetails::id).isEqualTo(lab.subList(0, 10));
    assertThat(third.servers()).extracting(ServerDetails::id).isEqualTo(lab.subList(20, 25));
    assertThat(all.count()).isEqualTo(100);
    cloud.untag(lab.subList(0, 5), "env=lab");
    cloud.tag(cloud.inventory().subList(0, 1), "env=lab");
    assertThat(cloud.listServers(1, 1000, "env=lab").count()).isEqualTo(21);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static String problem(String spec) {
    try {
      SimulatorOptions.parse(new String[] {"--tags", spec}, Map.of());
    } catch (IllegalArgumentException e) {
      return e.getMessage().replace("\nSee --help.", "");
    }
    throw new AssertionError("accepted: " + spec);
  }

  private static void tags(SimulatorOptions o, int servers, long seed, String spec) {
    o.servers = servers;
    o.seed = seed;
    o.rateLimits = false;
    o.set("tags", spec);
  }

  private InProcessBmsClient client(Consumer<SimulatorOptions> configure) {
    SimulatorOptions options = new SimulatorOptions();
    configure.accept(options);
    return new InProcessBmsClient(options, clock);
  }
}
