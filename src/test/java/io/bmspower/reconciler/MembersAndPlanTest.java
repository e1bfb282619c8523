package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MembersAndPlanTest {

  @Test
  void theWholeRangeIsEncodedAsNothing() {
    BitSet all = new BitSet();
    all.set(0, 1000);

    assertThat(Members.encode(all, 1000)).isNull();
    assertThat(Members.decode(null, 1000).cardinality()).isEqualTo(1000);
  }

  @Test
  void fewOffsetsAreListedAndManyAreABitmapAndBothRoundTrip() {
    BitSet few = new BitSet();
    few.set(3);
    few.set(999);
    BitSet many = new BitSet();
    IntStream.range(0, 1000).filter(i -> i % 3 == 0).forEach(many::set);

    assertThat(Members.encode(few, 1000)).isEqualTo("o:3,999");
    assertThat(Members.decode("o:3,999", 1000)).isEqualTo(few);
    assertThat(Members.encode(many, 1000)).startsWith("b:").hasSizeLessThan(180);
    assertThat(Members.decode(Members.encode(many, 1000), 1000)).isEqualTo(many);
  }

  @Test
  void batchesFollowTheCanonicalOrderOfTheSetNotTheSpec() {
    List<String> ids =
        IntStream.range(0, 2500)
            .mapToObj(i -> String.format("%08d-0000-4000-8000-000000000000", i))
            .toList();
    List<String> reversed = new java.util.ArrayList<>(ids);
    java.util.Collections.reverse(reversed);
    List<String> shouting =
        ids.stream().map(id -> id.replace("-4000-", "-4000-").toUpperCase()).toList();

    BatchPlan plan = plan(ids);
    assertThat(plan(reversed)).isEqualTo(plan);
    assertThat(plan(shouting)).isEqualTo(plan);
    assertThat(plan.batches()).isEqualTo(3);
    assertThat(plan.rangeSize(2)).isEqualTo(500);
    assertThat(plan.members(1, null))
        .hasSize(1000)
        .startsWith(ids.get(1000))
        .endsWith(ids.get(1999));
    assertThat(plan.members(2, "o:0,499")).containsExactly(ids.get(2000), ids.get(2499));
    assertThat(plan.offsetOf(2, ids.get(2499).toUpperCase())).isEqualTo(499);
  }

  @Test
  void oneServerInTwoLetterCasesIsOneServer() {
    String id = "616fb98f-46ca-475e-917e-2563e5a8cd19";
    assertThat(plan(List.of(id, id.toUpperCase())).servers()).containsExactly(id);
  }

  @Test
  void aResourceStartedByAnOlderVersionKeepsItsSpecOrder() {
    var spec = new BareMetalPowerActionSpec();
    List<String> servers =
        List.of("b0000000-0000-4000-8000-000000000000", "a0000000-0000-4000-8000-000000000000");
    spec.setServers(servers);
    spec.setBatchSize(1);

    assertThat(BatchPlan.of(spec, null).members(0, null)).containsExactly(servers.get(0));
    assertThat(BatchPlan.of(spec, BatchPlan.CANONICAL).members(0, null))
        .containsExactly(servers.get(1));
  }

  private static BatchPlan plan(List<String> servers) {
    var spec = new BareMetalPowerActionSpec();
    spec.setServers(servers);
    spec.setBatchSize(1000);
    return BatchPlan.of(spec);
  }
}
