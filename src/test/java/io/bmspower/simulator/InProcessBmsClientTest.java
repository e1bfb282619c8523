package io.bmspower.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudClientSettings;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.ErrorClassifier;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.JobStatus;
import io.bmspower.cloud.ResponseParser;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import io.bmspower.cloud.SubJob;
import io.bmspower.testing.MutableClock;
import io.bmspower.testing.SimulatorFixture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class InProcessBmsClientTest {

  private static final String GHOST = "0f0e0d0c-0b0a-4908-8706-050403020100";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

  @Test
  void aJobGoesInitRunningSuccessAsTheClockMovesAndTheServersFollow() {
    var cloud = client(o -> o.jobDuration = Duration.ofSeconds(10));
    List<String> servers = cloud.inventory().subList(0, 3);

    String jobId = cloud.submit(CloudAction.STOP, servers);
    Job init = cloud.getJob(jobId);
    clock.advance(Duration.ofSeconds(1));
    Job running = cloud.getJob(jobId);
    ServerDetails stopping = cloud.getServer(servers.get(0));
    clock.advance(Duration.ofSeconds(9));
    Job done = cloud.getJob(jobId);

    assertThat(init.status()).isEqualTo(JobStatus.INIT);
    assertThat(init.subJobs()).allSatisfy(s -> assertThat(s.status()).isEqualTo(JobStatus.INIT));
    assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(stopping.taskState()).isEqualTo("powering-off");
    assertThat(stopping.isTransitioning()).isTrue();
    assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(done.jobType()).isEqualTo("baremetalBatchOperate");
    assertThat(done.subJobs())
        .extracting(SubJob::serverId, SubJob::status)
        .containsExactly(
            tuple(servers.get(0), JobStatus.SUCCESS),
            tuple(servers.get(1), JobStatus.SUCCESS),
            tuple(servers.get(2), JobStatus.SUCCESS));
    assertThat(cloud.getServer(servers.get(0)).isOff()).isTrue();
    assertThat(cloud.submissions()).containsOnlyKeys(servers).containsValues(1);
  }

  @Test
  void stoppingAStoppedServerFailsItsSubJobWithAnAlreadyDoneCodeAndCountsAgain() {
    var cloud = client(o -> {});
    String id = cloud.inventory().get(0);
    cloud.submit(CloudAction.STOP, List.of(id));
    clock.advance(cloud.options().jobDuration);

    Job again = finished(cloud, cloud.submit(CloudAction.STOP, List.of(id)));

    assertThat(again.status()).isEqualTo(JobStatus.FAIL);
    assertThat(again.subJobs().get(0).errorCode()).isEqualTo("BMS.0039");
    assertThat(ErrorClassifier.classifySubJob(CloudAction.STOP, "BMS.0039"))
        .isEqualTo(ErrorClass.ALREADY_DONE);
    assertThat(cloud.submissions()).containsEntry(id, 2);
    assertThat(cloud.actionCalls()).isEqualTo(2);
  }

  @Test
  void unknownIdsRefuseTheWholeCallInRejectModeAndFailTheirSubJobInFailMode() {
    var reject = client(o -> o.unknownIds = SimulatorOptions.UnknownIdMode.reject);
    var fail = client(o -> o.unknownIds = SimulatorOptions.UnknownIdMode.fail);
    String real = reject.inventory().get(0);

    assertThatThrownBy(() -> reject.submit(CloudAction.STOP, List.of(real, GHOST)))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("BMS.0040");
              assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_TERMINAL);
              assertThat(e.getMessage()).contains(GHOST);
            });
    Job job = finished(fail, fail.submit(CloudAction.STOP, List.of(real, GHOST)));

    assertThat(reject.actionCalls()).isZero();
    assertThat(reject.submissions()).isEmpty();
    assertThat(job.status()).isEqualTo(JobStatus.FAIL);
    assertThat(job.subJobs())
        .extracting(SubJob::serverId, SubJob::status, SubJob::errorCode)
        .containsExactly(
            tuple(real, JobStatus.SUCCESS, null), tuple(GHOST, JobStatus.FAIL, "BMS.0040"));
  }

  @Test
  void aServerTwiceInOneCallIsRefusedWithoutAJob() {
    var cloud = client(o -> {});
    String id = cloud.inventory().get(0);

    assertThatThrownBy(() -> cloud.submit(CloudAction.REBOOT, List.of(id, id.toUpperCase())))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("BMS.0022");
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TERMINAL);
            });
    assertThat(cloud.actionCalls()).isZero();
    assertThat(cloud.submissions()).isEmpty();
    assertThat(cloud.requests("submit 400")).isEqualTo(1);
  }

  @Test
  void anUnknownJobOrServerIsA404WithTheDocumentedCode() {
    var cloud = client(o -> {});

    CloudException job =
        catchThrowableOfType(CloudException.class, () -> cloud.getJob("no-such-job"));
    CloudException server =
        catchThrowableOfType(CloudException.class, () -> cloud.getServer(GHOST));

    assertThat(job.httpStatus()).isEqualTo(404);
    assertThat(job.code()).isEqualTo("BMS.0024");
    assertThat(server.httpStatus()).isEqualTo(404);
    assertThat(server.code()).isEqualTo("BMS.0040");
    assertThat(server.errorClass()).isEqualTo(ErrorClass.SERVER_TERMINAL);
  }

  @Test
  void listsServersPageByPageWithTheTotalCount() {
    var cloud = client(o -> o.servers = 30);

    ServerPage third = cloud.listServers(3, 10);
    ServerPage beyond = cloud.listServers(4, 10);

    assertThat(third.count()).isEqualTo(30);
    assertThat(third.servers())
        .extracting(ServerDetails::id)
        .containsExactlyElementsOf(cloud.inventory().subList(20, 30));
    assertThat(beyond.count()).isEqualTo(30);
    assertThat(beyond.servers()).isEmpty();
  }

  @Test
  void theNextSubmitCanFailWithoutAJobOrLoseItsAnswerAfterTheJob() {
    var cloud = client(o -> {});
    List<String> servers = cloud.inventory().subList(0, 2);
    var refused =
        new CloudException(
            504, "APIG.0203", "Backend timeout", null, ErrorClass.RETRYABLE, null, null);

    cloud.failNextSubmit(refused);
    assertThatThrownBy(() -> cloud.submit(CloudAction.STOP, servers)).isSameAs(refused);
    assertThat(cloud.actionCalls()).isZero();
    assertThat(cloud.submissions()).isEmpty();

    cloud.dropNextSubmitAnswer();
    assertThatThrownBy(() -> cloud.submit(CloudAction.STOP, servers))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS));
    assertThat(cloud.actionCalls()).isEqualTo(1);
    assertThat(cloud.submissions()).containsOnlyKeys(servers).containsValues(1);
    assertThat(cloud.requests("submit dropped")).isEqualTo(1);
    assertThat(cloud.getServer(servers.get(0)).isTransitioning()).isTrue();

    cloud.submit(CloudAction.START, cloud.inventory().subList(2, 3));
    assertThat(cloud.actionCalls()).isEqualTo(2);
  }

  @Test
  void throttledQueriesAnswer429WithACappedRetryAfterWhileActionsGoOn() {
    var cloud = client(o -> o.retryAfterSeconds = 86400);
    String id = cloud.inventory().get(0);

    cloud.throttleQueries(true);
    CloudException throttled =
        catchThrowableOfType(CloudException.class, () -> cloud.getServer(id));
    String jobId = cloud.submit(CloudAction.STOP, List.of(id));
    cloud.throttleQueries(false);

    assertThat(throttled.httpStatus()).isEqualTo(429);
    assertThat(throttled.code()).isEqualTo("APIG.0308");
    assertThat(throttled.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
    assertThat(throttled.retryAfter()).isEqualTo(ResponseParser.MAX_RETRY_AFTER);
    assertThat(cloud.getJob(jobId).jobId()).isEqualTo(jobId);
    assertThat(cloud.requests("getServer 429")).isEqualTo(1);
  }

  @Test
  void thePublishedLimitsApplyPerMinuteOfTheInjectedClock() {
    var cloud = client(o -> o.actionsPerMinute = 2);
    List<String> ids = cloud.inventory();

    cloud.submit(CloudAction.STOP, ids.subList(0, 1));
    cloud.submit(CloudAction.STOP, ids.subList(1, 2));
    CloudException third =
        catchThrowableOfType(
            CloudException.class, () -> cloud.submit(CloudAction.STOP, ids.subList(2, 3)));
    clock.advance(Duration.ofMinutes(1));
    cloud.submit(CloudAction.STOP, ids.subList(2, 3));

    assertThat(third.httpStatus()).isEqualTo(429);
    assertThat(third.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
    assertThat(cloud.submissions()).containsEntry(ids.get(2), 1);
    assertThat(cloud.actionCalls()).isEqualTo(3);
  }

  @Test
  void answersAsTheHttpSimulatorDoes() {
    Consumer<SimulatorOptions> options =
        o -> {
          o.servers = 30;
          o.jobDuration = Duration.ofMinutes(1);
          o.unknownIds = SimulatorOptions.UnknownIdMode.reject;
        };
    try (var sim = SimulatorFixture.start(options)) {
      var inProcess = client(options);
      // A roomy local budget: this compares the clouds' answers, not the client's own budget.
      var http =
          sim.client(
              sim.akSk(), CloudClientSettings.defaults().withRates(6000, 6000), Clock.systemUTC());
      assertThat(inProcess.inventory()).isEqualTo(sim.simulator.inventory());
      String real = inProcess.inventory().get(0);

      List<String> seen = outcomes(inProcess, real);

      assertThat(seen).isEqualTo(outcomes(http, real));
      assertThat(seen)
          .satisfiesExactly(
              s -> assertThat(s).startsWith("400 BMS.0040 SERVER_TERMINAL").contains(GHOST),
              s -> assertThat(s).startsWith("400 BMS.0022 TERMINAL"),
              s -> assertThat(s).startsWith("400 BMS.0022 TERMINAL").contains("not-a-uuid"),
              s -> assertThat(s).startsWith("404 BMS.0024 TERMINAL"),
              s -> assertThat(s).startsWith("404 BMS.0040 SERVER_TERMINAL"),
              s -> assertThat(s).matches("job [0-9a-f]{32}"),
              s -> assertThat(s).isEqualTo("server HARD_REBOOT"),
              s -> assertThat(s).startsWith("page 30 [ServerDetails["));
      assertThat(inProcess.submissions()).isEqualTo(submissions(sim));
    }
  }

  /** What a client saw for calls that do not depend on the time. */
  private static List<String> outcomes(BmsClient client, String real) {
    List<String> seen = new ArrayList<>();
    List<Runnable> calls =
        List.of(
            () -> client.submit(CloudAction.STOP, List.of(real, GHOST)),
            () -> client.submit(CloudAction.STOP, List.of(real, real)),
            () -> client.submit(CloudAction.STOP, List.of("not-a-uuid")),
            () -> client.getJob("no-such-job"),
            () -> client.getServer(GHOST),
            () -> seen.add("job " + client.submit(CloudAction.REBOOT, List.of(real))),
            () -> seen.add("server " + client.getServer(real).status()),
            () -> {
              ServerPage page = client.listServers(2, 25);
              seen.add("page " + page.count() + " " + page.servers());
            });
    for (Runnable call : calls) {
      try {
        call.run();
      } catch (CloudException e) {
        seen.add(e.httpStatus() + " " + e.code() + " " + e.errorClass() + " " + e.getMessage());
      }
    }
    return seen;
  }

  private static Map<String, Integer> submissions(SimulatorFixture sim) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    sim.stats()
        .path("submissionsPerServer")
        .fields()
        .forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
    return counts;
  }

  private InProcessBmsClient client(Consumer<SimulatorOptions> configure) {
    SimulatorOptions options = new SimulatorOptions();
    options.servers = 50;
    configure.accept(options);
    return new InProcessBmsClient(options, clock);
  }

  private Job finished(InProcessBmsClient cloud, String jobId) {
    clock.advance(cloud.options().jobDuration);
    return cloud.getJob(jobId);
  }
}
