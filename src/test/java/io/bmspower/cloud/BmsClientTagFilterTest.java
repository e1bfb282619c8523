package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default {@link BmsClient#listServers(int, int, String)} of fakes: filters the page it gets.
 */
class BmsClientTagFilterTest {

  @Test
  void theDefaultKeepsTheServersOfThePageCarryingTheTagAndTheUnfilteredCount() {
    var fake =
        new FakeList(
            new ServerPage(
                40,
                List.of(
                    server("a", "__type_baremetal", "env=lab"),
                    server("b", "__type_baremetal"),
                    server("c", "env=lab", "team=x"),
                    server("d"))));

    ServerPage lab = fake.listServers(2, 4, "env=lab");
    ServerPage none = fake.listServers(2, 4, "env=prod");
    ServerPage comma = fake.listServers(2, 4, "env=lab,team=x");

    assertThat(lab.servers()).extracting(ServerDetails::id).containsExactly("a", "c");
    assertThat(lab.count()).isEqualTo(40);
    assertThat(none.servers()).isEmpty();
    assertThat(comma.servers()).isEmpty();
    assertThat(fake.calls).containsOnly("2/4");
  }

  @Test
  void withoutATagTheDefaultIsThePlainList() {
    var page = new ServerPage(2, List.of(server("a"), server("b", "env=lab")));
    var fake = new FakeList(page);

    assertThat(fake.listServers(1, 25, null)).isEqualTo(page);
    assertThat(fake.listServers(1, 25, "")).isEqualTo(page);
  }

  private static ServerDetails server(String id, String... tags) {
    return new ServerDetails(id, "ACTIVE", null, "active", 1, null, "bms-" + id, List.of(tags));
  }

  /** A fake that implements only what every BmsClient must. */
  private static final class FakeList implements BmsClient {
    final ServerPage page;
    final List<String> calls = new ArrayList<>();

    FakeList(ServerPage page) {
      this.page = page;
    }

    @Override
    public String submit(CloudAction action, List<String> serverIds) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Job getJob(String jobId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerDetails getServer(String serverId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ServerPage listServers(int page, int limit) {
      calls.add(page + "/" + limit);
      return this.page;
    }
  }
}
