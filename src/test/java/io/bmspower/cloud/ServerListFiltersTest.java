package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.SimulatorFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The list's filters over real HTTP with signed requests: {@code tags} through {@link
 * HttpBmsClient}, {@code name}, {@code status} and {@code flavor} through a GET signed as it signs.
 * The simulator filters before paging and counts what the filters keep.
 */
class ServerListFiltersTest {

  @Test
  void theClientListsTheServersCarryingATagCountedAndSignedAsTheOtherParameters() {
    try (var sim = SimulatorFixture.start(o -> tags(o, "env=lab:0.3,team=a:0.5"))) {
      var client = sim.client(sim.akSk());
      List<String> lab = sim.simulator.serversTagged("env=lab");

      ServerPage page = client.listServers(1, 1000, "env=lab");
      ServerPage baremetal = client.listServers(1, 1000, "__type_baremetal");
      ServerPage unknown = client.listServers(1, 1000, "env=prod");
      ServerPage noTag = client.listServers(1, 1000, null);

      assertThat(lab).hasSize(15);
      assertThat(page.count()).isEqualTo(15);
      assertThat(page.servers()).extracting(ServerDetails::id).isEqualTo(lab);
      assertThat(page.servers()).allSatisfy(s -> assertThat(s.hasTag("env=lab")).isTrue());
      assertThat(page.servers().get(0).name()).startsWith("bms-");
      assertThat(baremetal.count()).isEqualTo(50);
      assertThat(unknown.count()).isZero();
      assertThat(unknown.servers()).isEmpty();
      assertThat(noTag.count()).isEqualTo(50);
      assertThat(sim.requests("listServers 200")).isEqualTo(4);
      assertThat(sim.requests("listServers 401")).isZero();
    }
  }

  @Test
  void aTagWithCharactersToEncodeIsSentAndSignedAsTheCloudReadsIt() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 10)) {
      var client = sim.client(sim.akSk());
      List<String> ids = sim.simulator.inventory();
      String odd = "owner=ops+dev/α &x=1";
      sim.simulator.tag(List.of(ids.get(2), ids.get(7)), odd);

      ServerPage page = client.listServers(1, 100, odd);
      ServerPage plusAsBlank = client.listServers(1, 100, "owner=ops dev/α &x=1");

      assertThat(page.count()).isEqualTo(2);
      assertThat(page.servers())
          .extracting(ServerDetails::id)
          .containsExactly(ids.get(2), ids.get(7));
      assertThat(page.servers().get(0).tags()).contains(odd);
      assertThat(plusAsBlank.count()).isZero();
      assertThat(sim.requests("listServers 401")).isZero();
    }
  }

  @Test
  void aTagValueWithACommaIsOneStringThatMatchesNoTag() {
    try (var sim = SimulatorFixture.start(o -> tags(o, "env=lab:1,team=a:1"))) {
      var client = sim.client(sim.akSk());

      ServerPage both = client.listServers(1, 1000, "env=lab,team=a");

      assertThat(client.listServers(1, 1000, "team=a").count()).isEqualTo(50);
      assertThat(both.count()).isZero();
      assertThat(both.servers()).isEmpty();
    }
  }

  @Test
  void aFilteredListIsPagedAfterFiltering() {
    try (var sim = SimulatorFixture.start(o -> tags(o, "team=a:0.5"))) {
      var client = sim.client(sim.akSk());
      List<String> team = sim.simulator.serversTagged("team=a");

      List<ServerPage> pages = new ArrayList<>();
      for (int page = 1; page <= 4; page++) {
        pages.add(client.listServers(page, 10, "team=a"));
      }

      assertThat(team).hasSize(25);
      assertThat(pages).extracting(ServerPage::count).containsOnly(25);
      assertThat(pages).extracting(p -> p.servers().size()).containsExactly(10, 10, 5, 0);
      assertThat(pages.stream().flatMap(p -> p.servers().stream()).map(ServerDetails::id))
          .isEqualTo(team);
    }
  }

  @Test
  void theListPagingReadingsApplyToTheFilteredList() {
    try (var capped =
            SimulatorFixture.start(
                o -> {
                  tags(o, "team=a:0.5");
                  o.listPaging = SimulatorOptions.ListPaging.capped_count;
                });
        var rows =
            SimulatorFixture.start(
                o -> {
                  tags(o, "team=a:0.5");
                  o.listPaging = SimulatorOptions.ListPaging.row_offset;
                })) {
      List<String> team = rows.simulator.serversTagged("team=a");

      ServerPage cappedLast = capped.client(capped.akSk()).listServers(3, 10, "team=a");
      ServerPage fromRow7 = rows.client(rows.akSk()).listServers(7, 10, "team=a");

      assertThat(cappedLast.count()).isEqualTo(5);
      assertThat(cappedLast.servers()).hasSize(5);
      assertThat(fromRow7.count()).isEqualTo(25);
      assertThat(fromRow7.servers()).extracting(ServerDetails::id).isEqualTo(team.subList(7, 17));
    }
  }

  @Test
  void theListFiltersByNameExactly() throws Exception {
    try (var sim = SimulatorFixture.start(o -> {})) {
      List<String> ids = sim.simulator.inventory();

      JsonNode seventh = list(sim, "name=bms-7");
      JsonNode prefix = list(sim, "name=bms-");

      assertThat(seventh.path("count").asInt()).isEqualTo(1);
      assertThat(ResponseParser.serverPage(seventh).servers())
          .extracting(ServerDetails::id, ServerDetails::name)
          .containsExactly(org.assertj.core.api.Assertions.tuple(ids.get(6), "bms-7"));
      assertThat(prefix.path("count").asInt()).isZero();
    }
  }

  @Test
  void theListFiltersByTheStatusAServerShowsAtThatMoment() throws Exception {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.stopped = 5;
              o.jobDuration = Duration.ofMinutes(5);
            })) {
      List<String> ids = sim.simulator.inventory();
      sim.client(sim.akSk()).submit(CloudAction.REBOOT, List.of(ids.get(0)));

      JsonNode shutoff = list(sim, "status=SHUTOFF");
      JsonNode rebooting = list(sim, "status=HARD_REBOOT");
      JsonNode active = list(sim, "status=ACTIVE&limit=1000");
      JsonNode lowerCase = list(sim, "status=active");

      assertThat(ids(shutoff)).isEqualTo(ids.subList(45, 50));
      assertThat(ids(rebooting)).containsExactly(ids.get(0));
      assertThat(active.path("count").asInt()).isEqualTo(44);
      assertThat(ids(active)).isEqualTo(ids.subList(1, 45));
      assertThat(lowerCase.path("count").asInt()).isZero();
    }
  }

  @Test
  void theListFiltersByFlavorAndCombinesFilters() throws Exception {
    try (var sim = SimulatorFixture.start(o -> tags(o, "team=a:0.5"))) {
      List<String> team = sim.simulator.serversTagged("team=a");
      String first = team.get(0);
      String name = sim.simulator.serverName(first);

      JsonNode flavor = list(sim, "flavor=physical.s4.medium&limit=1000");
      JsonNode otherFlavor = list(sim, "flavor=physical.s1.medium");
      JsonNode combined = list(sim, "tags=team%3Da&status=ACTIVE&flavor=physical.s4.medium");
      JsonNode named = list(sim, "tags=team%3Da&name=" + name);
      JsonNode wrongName =
          list(sim, "tags=team%3Da&name=" + sim.simulator.serverName(notIn(sim, team)));

      assertThat(flavor.path("count").asInt()).isEqualTo(50);
      assertThat(flavor.path("servers").get(0).path("flavor").path("id").asText())
          .isEqualTo("physical.s4.medium");
      assertThat(otherFlavor.path("count").asInt()).isZero();
      assertThat(combined.path("count").asInt()).isEqualTo(25);
      assertThat(ids(combined)).isEqualTo(team);
      assertThat(ids(named)).containsExactly(first);
      assertThat(wrongName.path("count").asInt()).isZero();
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static void tags(SimulatorOptions o, String spec) {
    o.set("tags", spec);
  }

  private static String notIn(SimulatorFixture sim, List<String> ids) {
    return sim.simulator.inventory().stream()
        .filter(id -> !ids.contains(id))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> ids(JsonNode page) {
    return ResponseParser.serverPage(page).servers().stream().map(ServerDetails::id).toList();
  }

  /** {@code GET .../baremetalservers/detail?<query>} signed as {@link HttpBmsClient} signs. */
  private static JsonNode list(SimulatorFixture sim, String query) throws Exception {
    URI uri = sim.endpoint().resolve("/baremetalservers/detail?" + query);
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("Host", AkSkSigner.hostHeader(uri));
    signed.put(AkSkSigner.DATE_HEADER, AkSkSigner.formatDate(Instant.now()));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header(AkSkSigner.DATE_HEADER, signed.get(AkSkSigner.DATE_HEADER))
            .header("Authorization", AkSkSigner.sign(sim.akSk(), "GET", uri, signed, null))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return ResponseParser.tree(response.body());
  }
}
