package io.bmspower.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.bmspower.cloud.AkSkSigner;
import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudClientSettings;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.Credentials;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.testing.MutableClock;
import io.bmspower.testing.SimulatorFixture;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The readings where the wire matters: signatures, the gateway's codes, the clock, the stats. */
class ReadingsOverHttpTest {

  private static final CloudClientSettings ROOMY =
      CloudClientSettings.defaults().withRates(6000, 6000);

  @Test
  void serversOfAnActionPostAnsweredWith5xxAfterItsJobWasCreatedAreCountedInTheStats() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.post5xx = SimulatorOptions.PostServerErrors.after_accept;
              o.post5xxRate = 1;
            })) {
      var client = sim.client(sim.akSk());
      List<String> servers = sim.simulator.inventory().subList(0, 3);

      CloudException lost =
          catchThrowableOfType(
              CloudException.class, () -> client.submit(CloudAction.REBOOT, servers));

      var stats = sim.stats();
      assertThat(lost.httpStatus()).isIn(500, 502, 504);
      assertThat(stats.path("actionCalls").asInt()).isEqualTo(1);
      assertThat(stats.path("requests").path("submit " + lost.httpStatus()).asInt()).isEqualTo(1);
      servers.forEach(
          id -> assertThat(stats.path("submissionsPerServer").path(id).asInt()).isEqualTo(1));
      assertThat(client.getServer(servers.get(0)).taskState()).isEqualTo("reboot_started_hard");
    }
  }

  @Test
  void anAkFailingMoreThanFiveTimesInARowIsLockedEvenForACorrectSignatureUntilTheLockEnds() {
    var clock = new MutableClock(Instant.now());
    try (var sim = SimulatorFixture.start(o -> o.akLockAfter = 5, clock)) {
      var wrong =
          sim.client(
              new Credentials.AkSk(sim.options.accessKey, "wrong-secret", null), ROOMY, clock);
      var right = sim.client(sim.akSk(), ROOMY, clock);
      String id = sim.simulator.inventory().get(0);

      for (int i = 0; i < 5; i++) {
        assertThat(refusal(() -> wrong.getServer(id))).contains("verify aksk signature fail");
      }
      assertThat(right.getServer(id).id()).isEqualTo(id);
      for (int i = 0; i < 6; i++) {
        assertThat(refusal(() -> wrong.getServer(id))).contains("verify aksk signature fail");
      }
      CloudException locked = catchThrowableOfType(CloudException.class, () -> right.getServer(id));
      clock.advance(Duration.ofMinutes(5).minusSeconds(1));
      String stillLocked = refusal(() -> right.getServer(id));
      clock.advance(Duration.ofSeconds(1));

      assertThat(locked.httpStatus()).isEqualTo(401);
      assertThat(locked.code()).isEqualTo("APIG.0301");
      assertThat(locked.errorClass()).isEqualTo(ErrorClass.CREDENTIALS);
      assertThat(locked.getMessage())
          .isEqualTo(
              "Incorrect IAM authentication information: AK access failed to reach the"
                  + " limit,forbidden.");
      assertThat(stillLocked).contains("AK access failed to reach the limit");
      assertThat(right.getServer(id).id()).isEqualTo(id);
    }
  }

  @Test
  void withoutTheLockAFixedSecretWorksAtOnce() {
    try (var sim = SimulatorFixture.start(o -> {})) {
      var wrong =
          sim.client(
              new Credentials.AkSk(sim.options.accessKey, "wrong-secret", null),
              ROOMY,
              Clock.systemUTC());
      var right = sim.client(sim.akSk(), ROOMY, Clock.systemUTC());
      String id = sim.simulator.inventory().get(0);

      for (int i = 0; i < 10; i++) {
        refusal(() -> wrong.getServer(id));
      }

      assertThat(right.getServer(id).id()).isEqualTo(id);
    }
  }

  @Test
  void huaweiCloudsGatewayCodesArePrefixedApigw() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.gatewayPrefix = "APIGW";
              o.throttleEvery = 2;
              o.throttleBurst = 1;
            })) {
      var wrong =
          sim.client(
              new Credentials.AkSk(sim.options.accessKey, "wrong-secret", null),
              ROOMY,
              Clock.systemUTC());
      var right = sim.client(sim.akSk(), ROOMY, Clock.systemUTC());
      String id = sim.simulator.inventory().get(0);

      CloudException signature =
          catchThrowableOfType(CloudException.class, () -> wrong.getServer(id));
      CloudException throttled =
          catchThrowableOfType(CloudException.class, () -> right.getServer(id));

      assertThat(signature.code()).isEqualTo("APIGW.0301");
      assertThat(signature.errorClass()).isEqualTo(ErrorClass.CREDENTIALS);
      assertThat(throttled.httpStatus()).isEqualTo(429);
      assertThat(throttled.code()).isEqualTo("APIGW.0308");
      assertThat(throttled.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
    }
  }

  @Test
  void theCloudsClockDecidesWhetherASignatureExpiredAndStampsTheServers() {
    try (var farBehind = SimulatorFixture.start(o -> o.clockOffset = Duration.ofMinutes(-20));
        var behind = SimulatorFixture.start(o -> o.clockOffset = Duration.ofMinutes(-10))) {
      String id = behind.simulator.inventory().get(0);
      Instant sent = Instant.now();

      CloudException expired =
          catchThrowableOfType(
              CloudException.class, () -> farBehind.client(farBehind.akSk()).getServer(id));
      var client = behind.client(behind.akSk());
      client.submit(CloudAction.STOP, List.of(id));
      Instant updated = Instant.parse(client.getServer(id).updated());

      assertThat(expired.code()).isEqualTo("APIG.0301");
      assertThat(expired.getMessage()).contains("signature expired");
      String serverTime = expired.getMessage().replaceAll(".*server time:", "");
      assertThat(AkSkSigner.DATE_FORMAT.parse(serverTime, Instant::from))
          .isBetween(sent.minusSeconds(20 * 60 + 5), sent.minusSeconds(20 * 60 - 5));
      assertThat(updated).isBetween(sent.minusSeconds(10 * 60 + 5), sent.minusSeconds(10 * 60 - 5));
    }
  }

  @Test
  void aSignatureIsCheckedAgainstTheHostHeaderAsItArrivedNotTheOneSigned() throws Exception {
    try (var sim = SimulatorFixture.start(o -> {})) {
      // Through a proxy, the JDK can send an endpoint with its default port: it sends Host
      // without the port, as it would to https://host:443.
      HttpClient viaProxy =
          HttpClient.newBuilder()
              .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", sim.simulator.port())))
              .build();
      URI uri =
          URI.create(
              "http://bms.example:80/v1/"
                  + sim.options.projectId
                  + "/baremetalservers/"
                  + sim.simulator.inventory().get(0));

      HttpResponse<String> withPort = signedGet(viaProxy, sim, uri, "bms.example:80");
      HttpResponse<String> asSent = signedGet(viaProxy, sim, uri, "bms.example");

      assertThat(withPort.statusCode()).isEqualTo(401);
      assertThat(withPort.body())
          .contains("\"error_code\":\"APIG.0301\"")
          .contains("verify aksk signature fail, canonicalRequest:GET|/v1/")
          .contains("|host:bms.example|");
      assertThat(asSent.statusCode()).isEqualTo(200);
    }
  }

  /** A GET signed as if Host were {@code signedHost}; the JDK sends its own Host header. */
  private static HttpResponse<String> signedGet(
      HttpClient http, SimulatorFixture sim, URI uri, String signedHost) throws Exception {
    Map<String, String> signed = new LinkedHashMap<>();
    signed.put("Host", signedHost);
    signed.put(AkSkSigner.DATE_HEADER, AkSkSigner.formatDate(Instant.now()));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header(AkSkSigner.DATE_HEADER, signed.get(AkSkSigner.DATE_HEADER))
            .header("Authorization", AkSkSigner.sign(sim.akSk(), "GET", uri, signed, null))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String refusal(Runnable call) {
    CloudException e = catchThrowableOfType(CloudException.class, call::run);
    assertThat(e).isNotNull();
    assertThat(e.httpStatus()).isEqualTo(401);
    return e.getMessage();
  }
}
