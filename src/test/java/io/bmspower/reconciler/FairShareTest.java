package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The budget's permits across namespaces by share, and within one by priority, with aging. */
class FairShareTest {

  private static final long SLOT = Duration.ofMillis(1200).toNanos(); // 50 calls a minute
  private static final String BUDGET = "bms.example.com/project";

  /** A budget that frees one permit every SLOT, like the cloud's 50 a minute. */
  private static final class Budget {
    long nextFree;
    long now;

    Duration take() {
      if (now >= nextFree) {
        nextFree = Math.max(nextFree, now) + SLOT;
        return Duration.ZERO;
      }
      return Duration.ofNanos(nextFree - now);
    }
  }

  private final Budget budget = new Budget();
  private final List<String> grants = new ArrayList<>();
  private final Map<String, Duration> waited = new HashMap<>();

  private FairShare fairShare(boolean enabled) {
    return new FairShare(
        enabled,
        Duration.ofMinutes(2),
        (ns, wait) -> {
          grants.add(ns);
          waited.merge(ns, wait, Duration::plus);
        });
  }

  /**
   * Every claim asks again whenever it is told to come back (as a pass rescheduled after the answer
   * does), the big one asking for a new call right after each grant; returns who got the first
   * {@code n} permits, in order.
   */
  private List<String> play(FairShare share, List<FairShare.Claim> claims, int n) {
    Map<String, Long> due = new HashMap<>();
    claims.forEach(c -> due.put(c.uid(), 0L));
    Map<String, FairShare.Claim> byUid = new HashMap<>();
    claims.forEach(c -> byUid.put(c.uid(), c));
    List<String> order = new ArrayList<>();
    while (order.size() < n && !due.isEmpty()) {
      String uid = due.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
      budget.now = Math.max(budget.now, due.get(uid));
      FairShare.Claim claim = byUid.get(uid);
      Duration wait = share.reserve(BUDGET, claim, budget::take, budget.now);
      if (wait.isZero()) {
        order.add(uid);
        if (uid.startsWith("once")) {
          due.remove(uid);
        } else {
          due.put(uid, budget.now + 1);
        }
      } else {
        due.put(uid, budget.now + wait.toNanos());
      }
    }
    return order;
  }

  @Test
  void aOneCallRebootInAnotherNamespaceGoesOutWithinTwoSlotsOfABigStop() {
    FairShare share = fairShare(true);
    var big = new FairShare.Claim("big", "nightly", 1, 0);
    play(share, List.of(big), 10); // the big Stop has been going for a while

    List<String> order =
        play(share, List.of(big, new FairShare.Claim("once-reboot", "oncall", 1, 0)), 6);

    assertThat(order.indexOf("once-reboot")).isBetween(0, 1);
    assertThat(order).containsOnlyOnce("once-reboot");
  }

  @Test
  void withoutFairSharingTheFirstToAskKeepsWinning() {
    FairShare share = fairShare(false);
    var big = new FairShare.Claim("big", "nightly", 1, 0);
    // The big action asks again the moment after each grant; the Reboot asks a moment later.
    List<String> order = new ArrayList<>();
    budget.now = 0;
    for (int i = 0; i < 20; i++) {
      assertThat(share.reserve(BUDGET, big, budget::take, budget.now)).isZero();
      order.add("big");
      budget.now += 1;
      Duration rebootWait =
          share.reserve(
              BUDGET, new FairShare.Claim("once-reboot", "oncall", 1, 0), budget::take, budget.now);
      assertThat(rebootWait).isPositive();
      budget.now = budget.nextFree;
    }
    assertThat(order).hasSize(20).containsOnly("big");
  }

  @Test
  void sharesSplitTheGrantsWhileBothNamespacesWait() {
    FairShare share = fairShare(true);
    List<String> order =
        play(
            share,
            List.of(
                new FairShare.Claim("a", "team-a", 3, 0), new FairShare.Claim("b", "team-b", 1, 0)),
            400);

    long a = order.stream().filter("a"::equals).count();
    assertThat(a).isBetween(299L, 301L);
  }

  @Test
  void aNamespaceThatWasIdleBanksNoCredit() {
    FairShare share = fairShare(true);
    play(share, List.of(new FairShare.Claim("a", "team-a", 1, 0)), 50);

    List<String> order =
        play(
            share,
            List.of(
                new FairShare.Claim("a", "team-a", 1, 0), new FairShare.Claim("b", "team-b", 1, 0)),
            20);

    // b, idle so far, does not get the next 50 grants in a row: the two alternate.
    assertThat(order.stream().filter("b"::equals).count()).isBetween(9L, 11L);
  }

  @Test
  void withinANamespaceHigherPriorityGoesFirst() {
    FairShare share = fairShare(true);
    List<String> order =
        play(
            share,
            List.of(
                new FairShare.Claim("once-low", "team", 1, 0),
                new FairShare.Claim("once-high", "team", 1, 10),
                new FairShare.Claim("once-mid", "team", 1, 5)),
            3);

    assertThat(order).containsExactly("once-high", "once-mid", "once-low");
  }

  @Test
  void aLowPriorityResourceIsServedOnceItHasWaitedLongerThanTheAging() {
    FairShare share = fairShare(true);
    // A stream of high-priority calls in the same namespace would starve it without aging.
    List<String> order =
        play(
            share,
            List.of(
                new FairShare.Claim("hot", "team", 1, 100),
                new FairShare.Claim("once-low", "team", 1, 0)),
            200);

    int at = order.indexOf("once-low");
    assertThat(at).isPositive();
    // Aging is 2 minutes: 100 slots of 1.2 s; it goes out within one slot after that.
    assertThat(at).isBetween(99, 101);
  }

  @Test
  void aWaiterThatDoesNotComeBackIsDroppedAndHoldsNobodyUp() {
    FairShare share = fairShare(true);
    var gone = new FairShare.Claim("gone", "team-a", 1, 0);
    budget.now = 0;
    assertThat(share.reserve(BUDGET, gone, budget::take, budget.now)).isZero();
    budget.now = budget.nextFree - SLOT / 2;
    // gone asks again (it is next) and is told when the budget frees, then never returns.
    assertThat(share.reserve(BUDGET, gone, budget::take, budget.now)).isPositive();

    var other = new FairShare.Claim("other", "team-b", 1, 0);
    budget.now = budget.nextFree + FairShare.STALE_AFTER.toNanos() + 1;
    assertThat(share.reserve(BUDGET, other, budget::take, budget.now)).isZero();
  }

  @Test
  void grantsAndWaitsAreReportedPerNamespace() {
    FairShare share = fairShare(true);
    play(
        share,
        List.of(
            new FairShare.Claim("once-a", "team-a", 1, 0),
            new FairShare.Claim("once-b", "team-b", 1, 0)),
        2);

    assertThat(grants).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(waited.get("team-a").plus(waited.get("team-b")))
        .isGreaterThan(Duration.ofMillis(1000));
  }

  @Test
  void aWaiterDroppedForComingBackLateKeepsItsAgeForTheAgingRule() {
    FairShare share = fairShare(true);
    var low = new FairShare.Claim("low", "team", 1, 0);
    var hot = new FairShare.Claim("hot", "team", 1, 100);
    budget.now = 0;
    share.reserve(BUDGET, hot, budget::take, budget.now); // hot takes the first permit
    assertThat(share.reserve(BUDGET, low, budget::take, budget.now)).isPositive();
    // low's passes are slow (a busy operator): it is dropped again and again, 10 s late each time.
    long minute = Duration.ofMinutes(1).toNanos();
    for (budget.now = 0; budget.now < 3 * minute; budget.now += Duration.ofSeconds(10).toNanos()) {
      share.reserve(BUDGET, hot, budget::take, budget.now);
    }

    // Past the 2-minute aging, measured from its first ask, low goes before hot, both waiting.
    budget.now = budget.nextFree - 1;
    share.reserve(BUDGET, hot, budget::take, budget.now);
    share.reserve(BUDGET, low, budget::take, budget.now);
    budget.now = budget.nextFree;
    assertThat(share.reserve(BUDGET, hot, budget::take, budget.now)).isPositive();
    assertThat(share.reserve(BUDGET, low, budget::take, budget.now)).isZero();
  }

  @Test
  void aResourceThatStopsWaitingLeavesAtOnceAndHoldsNobodyUp() {
    FairShare share = fairShare(true);
    var first = new FairShare.Claim("first", "team-a", 1, 0);
    var second = new FairShare.Claim("second", "team-b", 1, 0);
    budget.now = 0;
    share.reserve(BUDGET, new FairShare.Claim("x", "team-c", 1, 0), budget::take, budget.now);
    assertThat(share.reserve(BUDGET, first, budget::take, budget.now)).isPositive();
    assertThat(share.reserve(BUDGET, second, budget::take, budget.now)).isPositive();

    share.leave("first"); // suspended, say
    budget.now = budget.nextFree;

    assertThat(share.reserve(BUDGET, second, budget::take, budget.now)).isZero();
  }
}
