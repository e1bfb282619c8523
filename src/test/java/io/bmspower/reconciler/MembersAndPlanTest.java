package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MembersAndPlanTest {

  private static final List<String> SERVERS =
      IntStream.range(0, 2500).mapToObj(i -> "s" + i).toList();

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
  void batchesFollowSpecOrder() {
    var spec = new BareMetalPowerActionSpec();
    spec.setServers(SERVERS);
    spec.setBatchSize(1000);
    BatchPlan plan = BatchPlan.of(spec);

    assertThat(plan.batches()).isEqualTo(3);
    assertThat(plan.rangeSize(2)).isEqualTo(500);
    assertThat(plan.members(1, null)).hasSize(1000).startsWith("s1000").endsWith("s1999");
    assertThat(plan.members(2, "o:0,499")).containsExactly("s2000", "s2499");
    assertThat(plan.offsetOf(2, "s2499")).isEqualTo(499);
  }
}
