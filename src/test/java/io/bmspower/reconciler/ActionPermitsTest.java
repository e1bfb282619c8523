package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActionPermitsTest {

  static final CallKey KEY = new CallKey(null, null, CloudAction.STOP);

  /** A budget with {@code permits} free now; after that, one frees in 5 s. */
  static final class Budget implements BmsClient {
    int permits;

    Budget(int permits) {
      this.permits = permits;
    }

    @Override
    public Duration reserveActionCall() {
      if (permits == 0) {
        return Duration.ofSeconds(5);
      }
      permits--;
      return Duration.ZERO;
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
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void mergedRequestsShareOneCallAndSoOnePermit() {
    var permits = new ActionPermits(Duration.ofMinutes(1), FairShare.byDefault());
    var budget = new Budget(1);
    List<QueuedRequest> queued = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      assertThat(permits.admit(KEY, claim("r" + i), 5, queued, Integer.MAX_VALUE, budget, 0))
          .isEqualTo(Duration.ZERO);
    }
    assertThat(budget.permits).as("500 servers fit one call").isZero();
  }

  @Test
  void aRequestThatNeedsAnotherCallWaitsForTheBudgetWithoutBeingAdmitted() {
    var permits = new ActionPermits(Duration.ofMinutes(1), FairShare.byDefault());
    var budget = new Budget(1);
    List<QueuedRequest> queued = new ArrayList<>();
    assertThat(permits.admit(KEY, claim("a"), 800, queued, Integer.MAX_VALUE, budget, 0)).isZero();
    assertThat(permits.admit(KEY, claim("b"), 800, queued, Integer.MAX_VALUE, budget, 0))
        .isEqualTo(Duration.ofSeconds(5));

    budget.permits = 1;
    assertThat(permits.admit(KEY, claim("b"), 800, queued, Integer.MAX_VALUE, budget, 0)).isZero();
    assertThat(permits.take(KEY)).isTrue();
    assertThat(permits.take(KEY)).isTrue();
    assertThat(permits.take(KEY)).as("one permit per call, no more").isFalse();
  }

  @Test
  void withoutMergingEveryRequestNeedsAPermit() {
    var permits = new ActionPermits(Duration.ofMinutes(1), FairShare.byDefault());
    var budget = new Budget(2);
    List<QueuedRequest> queued = new ArrayList<>();
    assertThat(permits.admit(KEY, claim("a"), 1, queued, 1, budget, 0)).isZero();
    assertThat(permits.admit(KEY, claim("b"), 1, queued, 1, budget, 0)).isZero();
    assertThat(permits.admit(KEY, claim("c"), 1, queued, 1, budget, 0)).isPositive();
  }

  @Test
  void anAdmissionWhoseRequestNeverCameStopsCountingAfterItsTimeToLive() {
    var permits = new ActionPermits(Duration.ofSeconds(10), FairShare.byDefault());
    var budget = new Budget(1);
    List<QueuedRequest> queued = new ArrayList<>();
    assertThat(permits.admit(KEY, claim("a"), 1, queued, 1, budget, 0)).isZero();
    long later = Duration.ofSeconds(11).toNanos();
    assertThat(permits.admit(KEY, claim("b"), 1, queued, 1, budget, later))
        .as("a's permit is held for b: a's status write never happened")
        .isZero();
  }

  @Test
  void callsAreFilledFirstFitUpToAThousandServers() {
    assertThat(ActionPermits.callsNeeded(List.of(600, 600, 400, 400), Integer.MAX_VALUE))
        .isEqualTo(2);
    assertThat(ActionPermits.callsNeeded(List.of(1, 1, 1), 2)).isEqualTo(2);
  }

  private static FairShare.Claim claim(String uid) {
    return new FairShare.Claim(uid, "team", 1, 0);
  }
}
