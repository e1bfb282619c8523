package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.simulator.InProcessBmsClient;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Open behaviour #2: under every reading of the list's {@code offset} and {@code count}, and with
 * more than 1,000 servers, no existing server is reported absent, and an unknown one is.
 */
class ServerDirectoryTest {

  private static final String UNKNOWN = "00000000-0000-4000-8000-000000000001";

  @ParameterizedTest
  @EnumSource(SimulatorOptions.ListPaging.class)
  void everyExistingServerIsFoundAndOnlyAnUnknownOneIsAbsent(SimulatorOptions.ListPaging paging) {
    var cloud = client(paging, 2500);
    List<String> inventory = cloud.inventory();
    List<String> wanted = new ArrayList<>();
    for (int row : new int[] {0, 1, 999, 1000, 1001, 1999, 2000, 2001, 2499}) {
      wanted.add(inventory.get(row));
    }
    wanted.add(UNKNOWN);

    var found = ServerDirectory.lookup(cloud, wanted);

    assertThat(found.keySet())
        .containsExactlyInAnyOrderElementsOf(wanted.subList(0, wanted.size() - 1));
    assertThat(cloud.requests("getServer 404")).as("the unknown server, asked once").isOne();
  }

  @ParameterizedTest
  @EnumSource(SimulatorOptions.ListPaging.class)
  void theWholeInventoryIsFoundThroughTheListWhateverTheOffsetMeans(
      SimulatorOptions.ListPaging paging) {
    var cloud = client(paging, 2500);

    var found = ServerDirectory.lookup(cloud, cloud.inventory());

    assertThat(found).hasSize(2500);
    assertThat(cloud.requests("listServers 200")).isBetween(3L, 5L);
    assertThat(cloud.requests("getServer 200")).as("rows no page showed").isLessThanOrEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(SimulatorOptions.ListPaging.class)
  void upperCaseIdsAreFoundAndExactlyAThousandServersEndOnAnEmptyPage(
      SimulatorOptions.ListPaging paging) {
    var cloud = client(paging, 1000);
    String last = cloud.inventory().get(999);

    var found = ServerDirectory.lookup(cloud, List.of(last.toUpperCase(Locale.ROOT), UNKNOWN));

    assertThat(found).containsOnlyKeys(last);
    assertThat(cloud.requests("listServers 200")).isLessThanOrEqualTo(2);
  }

  private static InProcessBmsClient client(SimulatorOptions.ListPaging paging, int servers) {
    var options = new SimulatorOptions();
    options.servers = servers;
    options.rateLimits = false;
    options.listPaging = paging;
    return new InProcessBmsClient(
        options, new MutableClock(java.time.Instant.parse("2030-01-01T00:00:00Z")));
  }
}
