package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.SimulatorFixture;
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
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP client against the simulator over real HTTP: every operation and error path. */
class HttpBmsClientSimulatorTest {

  @Test
  void stopsStartsAndRebootsWithAkSkAndReadsJobsAndServers() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      var client = sim.client(sim.akSk());
      List<String> servers = sim.simulator.inventory().subList(0, 3);

      String stopJob = client.submit(PowerAction.Stop, servers);
      Job stopped = awaitFinished(client, stopJob);

      assertThat(stopped.status()).isEqualTo(JobStatus.SUCCESS);
      assertThat(stopped.jobType()).isEqualTo("baremetalBatchOperate");
      assertThat(stopped.subJobs()).extracting(SubJob::serverId).containsExactlyElementsOf(servers);
      assertThat(stopped.subJobs())
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(JobStatus.SUCCESS));
      assertThat(client.getServer(servers.get(0)).isOff()).isTrue();

      Job again = awaitFinished(client, client.submit(PowerAction.Stop, servers.subList(0, 1)));
      assertThat(again.status()).isEqualTo(JobStatus.FAIL);
      assertThat(again.subJobs().get(0).errorCode()).isEqualTo("BMS.0039");
      assertThat(
              ErrorClassifier.classifySubJob(PowerAction.Stop, again.subJobs().get(0).errorCode()))
          .isEqualTo(ErrorClass.ALREADY_DONE);

      assertThat(awaitFinished(client, client.submit(PowerAction.Start, servers)).status())
          .isEqualTo(JobStatus.SUCCESS);
      assertThat(client.getServer(servers.get(1)).isOn()).isTrue();
      assertThat(awaitFinished(client, client.submit(PowerAction.Reboot, servers)).status())
          .isEqualTo(JobStatus.SUCCESS);
      assertThat(client.getServer(servers.get(2)).isOn()).isTrue();
    }
  }

  @Test
  void aServerInTransitionShowsItsTaskStateAndRefusesAnotherAction() {
    try (var sim = SimulatorFixture.start(o -> o.jobDuration = Duration.ofSeconds(2))) {
      var client = sim.client(sim.akSk());
      String id = sim.simulator.inventory().get(0);

      client.submit(PowerAction.Stop, List.of(id));
      ServerDetails during = client.getServer(id);
      Job second = awaitFinished(client, client.submit(PowerAction.Start, List.of(id)));

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
                assertThat(e.code()).isEqualTo("APIG.0303");
                assertThat(e.getMessage()).contains("verify signature fail");
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
              CloudException.class, e -> assertThat(e.code()).isEqualTo("APIG.0301"));
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
                assertThat(e.code()).isEqualTo("APIG.0303");
                assertThat(e.getMessage()).contains("signature expired");
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
              () -> reject.client(reject.akSk()).submit(PowerAction.Stop, List.of(real, ghost)))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.code()).isEqualTo("BMS.0040");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_TERMINAL);
              });
      assertThat(reject.stats().path("actionCalls").asInt()).isZero();

      var client = fail.client(fail.akSk());
      Job job = awaitFinished(client, client.submit(PowerAction.Stop, List.of(real, ghost)));
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
      var client = sim.client(sim.akSk());
      List<String> servers = sim.simulator.inventory();

      client.submit(PowerAction.Stop, servers.subList(0, 1));
      client.submit(PowerAction.Stop, servers.subList(1, 2));

      assertThatThrownBy(() -> client.submit(PowerAction.Stop, servers.subList(2, 3)))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.httpStatus()).isEqualTo(429);
                assertThat(e.code()).isEqualTo("APIG.0308");
                assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
                assertThat(e.retryAfter()).hasSeconds(1);
              });
      assertThat(sim.requests("submit 429")).isEqualTo(1);
      assertThat(sim.stats().path("submissionsPerServer").has(servers.get(2))).isFalse();
    }
  }

  @Test
  void queriesAreRetriedThroughThrottlingBursts() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.throttleEvery = 3;
              o.throttleBurst = 2;
            })) {
      var client = sim.client(sim.akSk());

      ServerDetails details = client.getServer(sim.simulator.inventory().get(0));

      assertThat(details.isOn()).isTrue();
      assertThat(sim.requests("getServer 429")).isEqualTo(2);
      assertThat(sim.requests("getServer 200")).isEqualTo(1);
    }
  }

  @Test
  void queriesGiveUpAfterTheirAttemptsOnPersistent5xx() {
    try (var sim = SimulatorFixture.start(o -> o.serverErrorRate = 1.0)) {
      var client = sim.client(sim.akSk());

      assertThatThrownBy(() -> client.getJob("no-such-job"))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.httpStatus()).isIn(500, 503);
                assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
              });
      assertThat(sim.requests("getJob 500") + sim.requests("getJob 503")).isEqualTo(4);
    }
  }

  @Test
  void anActionCallIsNeverResentEvenOn5xx() {
    try (var sim = SimulatorFixture.start(o -> o.serverErrorRate = 1.0)) {
      var client = sim.client(sim.akSk());

      assertThatThrownBy(
              () -> client.submit(PowerAction.Stop, sim.simulator.inventory().subList(0, 2)))
          .isInstanceOf(CloudException.class);

      assertThat(sim.requests("submit 500") + sim.requests("submit 503")).isEqualTo(1);
    }
  }

  @Test
  void aConnectionDroppedAfterTheActionWasAcceptedIsAmbiguousAndThePostArrivedOnce() {
    try (var sim = SimulatorFixture.start(o -> o.dropAfterAccept = 1)) {
      var client = sim.client(sim.akSk());
      List<String> servers = sim.simulator.inventory().subList(0, 5);

      assertThatThrownBy(() -> client.submit(PowerAction.Stop, servers))
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

      Job first = awaitFinished(client, client.submit(PowerAction.Stop, one));
      Job second = awaitFinished(client, client.submit(PowerAction.Stop, one));

      assertThat(first.subJobs().get(0).errorCode()).isEqualTo("BMS.0006");
      assertThat(ErrorClassifier.classifySubJob(PowerAction.Stop, "BMS.0006"))
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
    assertThat(HttpBmsClient.actionBody(PowerAction.Stop, List.of("a")).toString())
        .isEqualTo("{\"os-stop\":{\"type\":\"HARD\",\"servers\":[{\"id\":\"a\"}]}}");
    assertThat(HttpBmsClient.actionBody(PowerAction.Start, List.of("a")).toString())
        .isEqualTo("{\"os-start\":{\"servers\":[{\"id\":\"a\"}]}}");
    assertThat(HttpBmsClient.actionBody(PowerAction.Reboot, List.of("a")).toString())
        .isEqualTo("{\"reboot\":{\"type\":\"HARD\",\"servers\":[{\"id\":\"a\"}]}}");
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

  /** A clock tests can move forward. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
