package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.MutableClock;
import io.bmspower.testing.SimulatorFixture;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP client against the simulator over real HTTP: every operation and error path. */
class HttpBmsClientSimulatorTest {

  /** The clock of budgets a test moves by hand. */
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void anActionCallPastItsIntentsDeadlineIsNotSent() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      var client = sim.client(sim.akSk());

      var refused =
          catchThrowableOfType(
              CloudException.class,
              () ->
                  client.submit(
                      CloudAction.STOP,
                      sim.simulator.inventory().subList(0, 2),
                      Instant.now().minusSeconds(1)));

      assertThat(refused.code()).isEqualTo(CloudException.INTENT_EXPIRED);
      assertThat(refused.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
      assertThat(sim.requests("submit 200")).isZero();
      assertThat(sim.stats().path("actionCalls").asInt()).isZero();
    }
  }

  @Test
  void anEndpointWrittenWithItsDefaultPortIsSignedAsTheJdkSendsHost() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      // Through a proxy the JDK sends the endpoint's own Host header: without a default port.
      HttpClient viaProxy =
          HttpClient.newBuilder()
              .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", sim.simulator.port())))
              .build();
      var settings = CloudClientSettings.defaults();
      var client =
          new HttpBmsClient(
              CloudEndpoint.of("http://bms.example:80/", sim.options.projectId),
              sim.akSk(),
              viaProxy,
              new IamTokenProvider(viaProxy, settings.requestTimeout(), Clock.systemUTC()),
              new RateBudget("actions", settings.actionsPerMinute()),
              new RateBudget("queries", settings.queriesPerMinute()),
              settings,
              Clock.systemUTC(),
              HttpBmsClient.CallObserver.NONE);
      String id = sim.simulator.inventory().get(0);

      assertThat(client.getServer(id).id()).isEqualTo(id);
      assertThat(client.getJob(client.submit(CloudAction.STOP, List.of(id))).jobId()).isNotNull();
    }
  }

  @Test
  void aCloudClockTwentyMinutesAwayIsToldApartFromAWrongSecret() {
    try (var behind = SimulatorFixture.start(o -> o.clockOffset = Duration.ofMinutes(-20));
        var onTime = SimulatorFixture.start(o -> {})) {
      var skewed =
          catchThrowableOfType(
              CloudException.class,
              () -> behind.client(behind.akSk()).getServer(behind.simulator.inventory().get(0)));
      var wrongKey =
          catchThrowableOfType(
              CloudException.class,
              () ->
                  onTime
                      .client(new Credentials.AkSk(onTime.options.accessKey, "wrong-secret", null))
                      .getServer(onTime.simulator.inventory().get(0)));

      assertThat(skewed.errorClass()).isEqualTo(ErrorClass.CREDENTIALS);
      assertThat(skewed.clockSkew()).isTrue();
      assertThat(wrongKey.httpStatus()).isEqualTo(401);
      assertThat(wrongKey.clockSkew()).isFalse();
    }
  }

  @Test
  void stopsStartsAndRebootsWithAkSkAndReadsJobsAndServers() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      var client = sim.client(sim.akSk());
      List<String> servers = sim.simulator.inventory().subList(0, 3);

      String stopJob = client.submit(CloudAction.STOP, servers);
      Job stopped = awaitFinished(client, stopJob);

      assertThat(stopped.status()).isEqualTo(JobStatus.SUCCESS);
      assertThat(stopped.jobType()).isEqualTo("baremetalBatchOperate");
      assertThat(stopped.subJobs()).extracting(SubJob::serverId).containsExactlyElementsOf(servers);
      assertThat(stopped.subJobs())
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(JobStatus.SUCCESS));
      assertThat(client.getServer(servers.get(0)).isOff()).isTrue();

      Job again = awaitFinished(client, client.submit(CloudAction.STOP, servers.subList(0, 1)));
      assertThat(again.status()).isEqualTo(JobStatus.FAIL);
      assertThat(again.subJobs().get(0).errorCode()).isEqualTo("BMS.0039");
      assertThat(
              ErrorClassifier.classifySubJob(CloudAction.STOP, again.subJobs().get(0).errorCode()))
          .isEqualTo(ErrorClass.ALREADY_DONE);

      // The default budget lets 2 action calls go at once; the next ones wait their turn.
      assertThat(
              awaitFinished(client, whenBudgetAllows(client, CloudAction.START, servers)).status())
          .isEqualTo(JobStatus.SUCCESS);
      assertThat(client.getServer(servers.get(1)).isOn()).isTrue();
      assertThat(
              awaitFinished(client, whenBudgetAllows(client, CloudAction.REBOOT, servers)).status())
          .isEqualTo(JobStatus.SUCCESS);
      assertThat(client.getServer(servers.get(2)).isOn()).isTrue();
    }
  }

  @Test
  void aServerInTransitionShowsItsTaskStateAndRefusesAnotherAction() {
    try (var sim = SimulatorFixture.start(o -> o.jobDuration = Duration.ofSeconds(2))) {
      var client = sim.client(sim.akSk());
      String id = sim.simulator.inventory().get(0);

      client.submit(CloudAction.STOP, List.of(id));
      ServerDetails during = client.getServer(id);
      Job second = awaitFinished(client, client.submit(CloudAction.START, List.of(id)));

      assertThat(during.taskState()).isEqualTo("powering-off");
      assertThat(during.status()).isEqualTo("ACTIVE");
      assertThat(during.isTransitioning()).isTrue();
      assertThat(second.subJobs().get(0).errorCode()).isEqualTo("BMS.0036");
    }
  }

  @Test
  void listsServersPageByPage() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 30)) {
      var client = sim.client(sim.akSk());

      ServerPage third = client.listServers(3, 10);
      ServerPage beyond = client.listServers(4, 10);

      assertThat(third.count()).isEqualTo(30);
      assertThat(third.servers())
          .extracting(ServerDetails::id)
          .containsExactlyElementsOf(sim.simulator.inventory().subList(20, 30));
      assertThat(beyond.servers()).isEmpty();
    }
  }

  @Test
  void iamTokensAreCachedAndRenewedAfterTheCloudCallsThemExpired() {
    var simClock = new MutableClock(Instant.now());
    try (var sim = SimulatorFixture.start(o -> {}, simClock)) {
      var client = sim.client(sim.password());
      String id = sim.simulator.inventory().get(0);

      client.getServer(id);
      client.getServer(id);
      assertThat(sim.requests("token 201")).isEqualTo(1);

      simClock.advance(Duration.ofHours(25));
      assertThat(client.getServer(id).id()).isEqualTo(id);

      assertThat(sim.requests("getServer 401")).isEqualTo(1);
      assertThat(sim.requests("token 201")).isEqualTo(2);
    }
  }

  @Test
  void tokensAreRenewedAheadOfExpiry() {
    try (var sim = SimulatorFixture.start(o -> o.tokenTtl = Duration.ofSeconds(2))) {
      var client = sim.client(sim.password());
      String id = sim.simulator.inventory().get(0);

      client.getServer(id);
      await()
          .pollDelay(Duration.ofMillis(1100))
          .atMost(Duration.ofSeconds(5))
          .until(() -> client.getServer(id) != null);

      assertThat(sim.requests("token 201")).isEqualTo(2);
      assertThat(sim.requests("getServer 401")).isZero();
    }
  }

  @Test
  void wrongSecretKeyIsRefusedAsCredentials() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      var client = sim.client(new Credentials.AkSk(sim.options.accessKey, "wrong-secret", null));

      assertThatThrownBy(() -> client.getServer(sim.simulator.inventory().get(0)))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(401);
                assertThat(e.code()).isEqualTo("APIG.0301");
                assertThat(e.getMessage()).contains("verify aksk signature fail");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.CREDENTIALS);
                assertThat(e.requestId()).isNotBlank();
              });
      assertThat(sim.requests("getServer 401")).isEqualTo(1);
    }
  }

  @Test
  void unknownAccessKeyWrongPasswordProjectMismatchAndClockSkewAreRefused() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      String id = sim.simulator.inventory().get(0);
      var unknownAk =
          sim.client(new Credentials.AkSk("NOSUCHACCESSKEY", sim.options.secretKey, null));
      var wrongPassword =
          sim.client(
              new Credentials.Password(
                  sim.options.iamUser, "nope", sim.options.iamDomain, sim.simulator.baseUrl()));
      var otherProject =
          sim.client(
              CloudEndpoint.of(sim.simulator.baseUrl(), "ffffffffffffffffffffffffffffffff"),
              sim.akSk(),
              CloudClientSettings.defaults(),
              Clock.systemUTC());
      var skewed =
          sim.client(
              sim.akSk(),
              CloudClientSettings.defaults(),
              Clock.offset(Clock.systemUTC(), Duration.ofMinutes(20)));

      assertThatThrownBy(() -> unknownAk.getServer(id))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.code()).isEqualTo("APIG.0301");
                assertThat(e.getMessage())
                    .contains("Get secretKey failed,ak:NOSU****,err:ak not exist");
              });
      assertThatThrownBy(() -> wrongPassword.getServer(id))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.code()).isEqualTo("IAM.0062");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.CREDENTIALS);
              });
      assertThatThrownBy(() -> otherProject.getServer(id))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.code()).isEqualTo("Common.0018");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.CREDENTIALS);
              });
      assertThatThrownBy(() -> skewed.getServer(id))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.code()).isEqualTo("APIG.0301");
                assertThat(e.httpStatus()).isEqualTo(401);
                assertThat(e.getMessage())
                    .startsWith(
                        "Incorrect IAM authentication information: calc aksk signature fail:"
                            + "signature expired, signature time:")
                    .contains(",server time:");
              });
    }
  }

  @Test
  void unknownServersAreRejectedOrFailTheirSubJobDependingOnTheMode() {
    String ghost = UUID.randomUUID().toString();
    try (var reject =
            SimulatorFixture.start(o -> o.unknownIds = SimulatorOptions.UnknownIdMode.reject);
        var fail =
            SimulatorFixture.start(o -> o.unknownIds = SimulatorOptions.UnknownIdMode.fail)) {
      String real = reject.simulator.inventory().get(0);

      assertThatThrownBy(
              () -> reject.client(reject.akSk()).submit(CloudAction.STOP, List.of(real, ghost)))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.code()).isEqualTo("BMS.0040");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_TERMINAL);
              });
      assertThat(reject.stats().path("actionCalls").asInt()).isZero();

      var client = fail.client(fail.akSk());
      Job job = awaitFinished(client, client.submit(CloudAction.STOP, List.of(real, ghost)));
      assertThat(job.status()).isEqualTo(JobStatus.FAIL);
      assertThat(job.subJobs())
          .extracting(SubJob::serverId, SubJob::status, SubJob::errorCode)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(real, JobStatus.SUCCESS, null),
              org.assertj.core.groups.Tuple.tuple(ghost, JobStatus.FAIL, "BMS.0040"));
    }
  }

  @Test
  void documentedValidationErrorsComeBackInTheBmsErrorShape() throws Exception {
    try (var sim = SimulatorFixture.start(o -> {})) {
      String empty = "{\"os-stop\":{\"type\":\"HARD\",\"servers\":[]}}";
      StringBuilder tooMany = new StringBuilder("{\"os-stop\":{\"servers\":[");
      for (int i = 0; i < 1001; i++) {
        tooMany
            .append(i > 0 ? "," : "")
            .append("{\"id\":\"")
            .append(UUID.randomUUID())
            .append("\"}");
      }
      tooMany.append("]}}");

      assertThat(rawPost(sim, empty)).contains("\"code\":\"BMS.0205\"").startsWith("400 ");
      assertThat(rawPost(sim, tooMany.toString())).contains("\"code\":\"BMS.0205\"");
      assertThat(rawPost(sim, "{not json")).contains("\"code\":\"BMS.0001\"");
      assertThat(sim.stats().path("actionCalls").asInt()).isZero();
    }
  }

  @Test
  void throttledActionCallsAnswer429AndPauseTheSharedBudget() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.actionsPerMinute = 2;
              o.retryAfterSeconds = 1;
            })) {
      var actions = new RateBudget("actions", 600, nanos::get);
      var client = sim.client(sim.akSk(), actions, new RateBudget("queries", 1600, nanos::get));
      List<String> servers = sim.simulator.inventory();

      client.submit(CloudAction.STOP, servers.subList(0, 1));
      client.submit(CloudAction.STOP, servers.subList(1, 2));

      assertThatThrownBy(() -> client.submit(CloudAction.STOP, servers.subList(2, 3)))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(429);
                assertThat(e.code()).isEqualTo("APIG.0308");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
                assertThat(e.retryAfter()).hasSeconds(1);
              });
      assertThatThrownBy(() -> client.submit(CloudAction.STOP, servers.subList(3, 4)))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.code()).isEqualTo(CloudException.LOCAL_BUDGET);
                assertThat(e.retryAfter())
                    .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1100));
              });
      assertThat(actions.throttles()).isEqualTo(1);
      assertThat(sim.requests("submit 429")).isEqualTo(1);
      assertThat(sim.requests("submit 200")).isEqualTo(2);
      assertThat(sim.stats().path("submissionsPerServer").has(servers.get(2))).isFalse();
      assertThat(sim.stats().path("submissionsPerServer").has(servers.get(3))).isFalse();
    }
  }

  @Test
  void aSpentLocalBudgetRefusesCallsWithoutSendingThem() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      // 20 a minute: a burst of one, then one every 3 seconds.
      var client =
          sim.client(
              sim.akSk(),
              new RateBudget("actions", 20, nanos::get),
              new RateBudget("queries", 20, nanos::get));
      List<String> servers = sim.simulator.inventory();

      client.submit(CloudAction.STOP, servers.subList(0, 1));
      client.getServer(servers.get(0));
      CloudException submit =
          catchThrowableOfType(
              CloudException.class, () -> client.submit(CloudAction.STOP, servers.subList(1, 2)));
      CloudException query =
          catchThrowableOfType(CloudException.class, () -> client.getServer(servers.get(1)));

      for (CloudException e : List.of(submit, query)) {
        assertThat(e.code()).isEqualTo(CloudException.LOCAL_BUDGET);
        assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
        assertThat(e.httpStatus()).isZero();
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(e.getMessage()).contains("not sent");
      }
      assertThat(submit.getMessage()).contains("budget for submit");
      assertThat(query.getMessage()).contains("budget for getServer");
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(1);
      assertThat(sim.stats().path("submissionsPerServer").has(servers.get(1))).isFalse();
      assertThat(sim.requests("getServer 200")).isEqualTo(1);

      nanos.addAndGet(Duration.ofSeconds(3).toNanos());
      client.submit(CloudAction.STOP, servers.subList(1, 2));
      assertThat(client.getServer(servers.get(1)).id()).isEqualTo(servers.get(1));
      assertThat(sim.stats().path("actionCalls").asInt()).isEqualTo(2);
    }
  }

  @Test
  void throttledQueriesAreAnsweredOnceAndTheBudgetHoldsTheNextUntilRetryAfter() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.throttleEvery = 3;
              o.throttleBurst = 2;
              o.retryAfterSeconds = 1;
            })) {
      var client =
          sim.client(
              sim.akSk(),
              new RateBudget("actions", 40, nanos::get),
              new RateBudget("queries", 1600, nanos::get));
      String id = sim.simulator.inventory().get(0);

      CloudException first = catchThrowableOfType(CloudException.class, () -> client.getServer(id));
      CloudException held = catchThrowableOfType(CloudException.class, () -> client.getServer(id));
      nanos.addAndGet(held.retryAfter().toNanos());
      CloudException second =
          catchThrowableOfType(CloudException.class, () -> client.getServer(id));
      nanos.addAndGet(Duration.ofSeconds(2).toNanos());
      ServerDetails details = client.getServer(id);

      assertThat(first.httpStatus()).isEqualTo(429);
      assertThat(first.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
      assertThat(first.retryAfter()).hasSeconds(1);
      assertThat(held.code()).isEqualTo(CloudException.LOCAL_BUDGET);
      assertThat(held.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1100));
      assertThat(second.httpStatus()).isEqualTo(429);
      assertThat(details.isOn()).isTrue();
      assertThat(sim.requests("getServer 429")).isEqualTo(2);
      assertThat(sim.requests("getServer 200")).isEqualTo(1);
    }
  }

  @Test
  void aRetryAfterOfADayPausesTheBudgetForTwoMinutesOnly() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.throttleEvery = 1;
              o.throttleBurst = 1;
              o.retryAfterSeconds = 86400;
            })) {
      var queries = new RateBudget("queries", 1600, nanos::get);
      var client = sim.client(sim.akSk(), new RateBudget("actions", 40, nanos::get), queries);
      String id = sim.simulator.inventory().get(0);

      CloudException throttled =
          catchThrowableOfType(CloudException.class, () -> client.getServer(id));
      CloudException held = catchThrowableOfType(CloudException.class, () -> client.getJob("j"));
      nanos.addAndGet(held.retryAfter().toNanos());
      CloudException again = catchThrowableOfType(CloudException.class, () -> client.getServer(id));

      assertThat(throttled.httpStatus()).isEqualTo(429);
      assertThat(throttled.retryAfter()).isEqualTo(ResponseParser.MAX_RETRY_AFTER);
      assertThat(held.code()).isEqualTo(CloudException.LOCAL_BUDGET);
      assertThat(held.retryAfter())
          .isBetween(Duration.ofMinutes(2), Duration.ofMinutes(2).plusMillis(100));
      assertThat(again.httpStatus()).isEqualTo(429);
      assertThat(sim.requests("getServer 429")).isEqualTo(2);
      assertThat(sim.requests("getJob 429")).isZero();
    }
  }

  @Test
  void aQueryIsSentOnceOn5xxAndTheFailureIsTheCallersToRetry() {
    try (var sim = SimulatorFixture.start(o -> o.serverErrorRate = 1.0)) {
      var client = sim.client(sim.akSk());

      assertThatThrownBy(() -> client.getJob("no-such-job"))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.httpStatus()).isIn(500, 504);
                assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
              });
      assertThat(sim.requests("getJob 500") + sim.requests("getJob 504")).isEqualTo(1);
    }
  }

  @Test
  void anActionCallIsNeverResentEvenOn5xx() {
    try (var sim = SimulatorFixture.start(o -> o.serverErrorRate = 1.0)) {
      var client = sim.client(sim.akSk());

      assertThatThrownBy(
              () -> client.submit(CloudAction.STOP, sim.simulator.inventory().subList(0, 2)))
          .isInstanceOf(CloudException.class);

      assertThat(sim.requests("submit 500") + sim.requests("submit 504")).isEqualTo(1);
    }
  }

  @Test
  void aConnectionDroppedAfterTheActionWasAcceptedIsAmbiguousAndThePostArrivedOnce() {
    try (var sim = SimulatorFixture.start(o -> o.dropAfterAccept = 1)) {
      var client = sim.client(sim.akSk());
      List<String> servers = sim.simulator.inventory().subList(0, 5);

      assertThatThrownBy(() -> client.submit(CloudAction.STOP, servers))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS));

      var stats = sim.stats();
      assertThat(stats.path("actionCalls").asInt()).isEqualTo(1);
      assertThat(stats.path("requests").path("submit dropped").asInt()).isEqualTo(1);
      servers.forEach(
          id -> assertThat(stats.path("submissionsPerServer").path(id).asInt()).isEqualTo(1));
      await().atMost(Duration.ofSeconds(5)).until(() -> client.getServer(servers.get(0)).isOff());
    }
  }

  @Test
  void serversConfiguredToFailDoSoForTheirFirstAttempts() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.failServers = 1;
              o.failAttempts = 1;
            })) {
      var client = sim.client(sim.akSk());
      List<String> one = sim.simulator.inventory().subList(0, 1);

      Job first = awaitFinished(client, client.submit(CloudAction.STOP, one));
      Job second = awaitFinished(client, client.submit(CloudAction.STOP, one));

      assertThat(first.subJobs().get(0).errorCode()).isEqualTo("BMS.0006");
      assertThat(ErrorClassifier.classifySubJob(CloudAction.STOP, "BMS.0006"))
          .isEqualTo(ErrorClass.RETRYABLE);
      assertThat(second.status()).isEqualTo(JobStatus.SUCCESS);
    }
  }

  @Test
  void httpsIsVerifiedAgainstAConfiguredCaAndRefusedOtherwise(@TempDir Path dir) throws Exception {
    try (var sim = SimulatorFixture.start(o -> o.https = true)) {
      Path ca = dir.resolve("sim-ca.pem");
      Files.writeString(ca, sim.simulator.certificatePem());
      String id = sim.simulator.inventory().get(0);
      var trusting =
          sim.client(
              sim.akSk(),
              CloudClientSettings.defaults().withTls(new TlsSettings(ca, false)),
              Clock.systemUTC());
      var defaults = sim.client(sim.akSk());
      var insecure =
          sim.client(
              sim.akSk(),
              CloudClientSettings.defaults().withTls(new TlsSettings(null, true)),
              Clock.systemUTC());

      assertThat(sim.simulator.baseUrl()).startsWith("https://");
      assertThat(trusting.getServer(id).isOn()).isTrue();
      assertThat(insecure.getServer(id).isOn()).isTrue();
      assertThatThrownBy(() -> defaults.getServer(id))
          .isInstanceOfSatisfying(
              CloudException.class, e -> assertThat(e.getMessage()).contains("PKIX"));
    }
  }

  @Test
  void actionBodiesHaveTheDocumentedShape() {
    assertThat(HttpBmsClient.actionBody(CloudAction.STOP, List.of("a")).toString())
        .isEqualTo("{\"os-stop\":{\"type\":\"HARD\",\"servers\":[{\"id\":\"a\"}]}}");
    assertThat(HttpBmsClient.actionBody(CloudAction.START, List.of("a")).toString())
        .isEqualTo("{\"os-start\":{\"servers\":[{\"id\":\"a\"}]}}");
    assertThat(HttpBmsClient.actionBody(CloudAction.REBOOT, List.of("a")).toString())
        .isEqualTo("{\"reboot\":{\"type\":\"HARD\",\"servers\":[{\"id\":\"a\"}]}}");
  }

  /** Calls again while the local budget refuses (nothing was sent), as a rescheduling caller. */
  private static String whenBudgetAllows(
      BmsClient client, CloudAction action, List<String> servers) {
    AtomicReference<String> jobId = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptionsMatching(
            e -> e instanceof CloudException c && CloudException.LOCAL_BUDGET.equals(c.code()))
        .until(
            () -> {
              jobId.set(client.submit(action, servers));
              return true;
            });
    return jobId.get();
  }

  private static Job awaitFinished(BmsClient client, String jobId) {
    AtomicReference<Job> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              last.set(client.getJob(jobId));
              return last.get().status().isFinished();
            });
    return last.get();
  }

  /** A correctly signed POST with any body, to reach the simulator's own validation. */
  private static String rawPost(SimulatorFixture sim, String body) throws Exception {
    URI uri =
        URI.create(
            sim.simulator.baseUrl() + "/v1/" + sim.options.projectId + "/baremetalservers/action");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", AkSkSigner.hostHeader(uri));
    headers.put("X-Sdk-Date", AkSkSigner.formatDate(Instant.now()));
    headers.put("Content-Type", "application/json");
    String authorization = AkSkSigner.sign(sim.akSk(), "POST", uri, headers, bytes);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("X-Sdk-Date", headers.get("X-Sdk-Date"))
            .header("Content-Type", "application/json")
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}
