package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every log line of full exchanges, at DEBUG, is free of SKs, passwords, tokens and signatures. */
class SecretsStayOutOfLogsTest {

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger ours = (Logger) LoggerFactory.getLogger("io.bmspower");
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Level previousRoot;
  private Level previousOurs;

  @BeforeEach
  void capture() {
    previousRoot = root.getLevel();
    previousOurs = ours.getLevel();
    root.setLevel(Level.DEBUG);
    ours.setLevel(Level.DEBUG);
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
    root.setLevel(previousRoot);
    ours.setLevel(previousOurs);
  }

  @Test
  void fullExchangesWithAkSkAndIamPasswordLogNoSecret() {
    try (var sim =
        SimulatorFixture.start(
            o -> {
              o.throttleEvery = 4;
              o.throttleBurst = 1;
              o.tokenTtl = Duration.ofSeconds(2);
              o.retryAfterSeconds = 0;
            })) {
      List<String> ids = sim.simulator.inventory().subList(0, 2);
      for (Credentials credentials : List.of(sim.akSk(), sim.password())) {
        var client = sim.client(credentials);
        String jobId = untilSent(() -> client.submit(CloudAction.STOP, ids));
        await()
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptionsMatching(SecretsStayOutOfLogsTest::refusedUnsent)
            .until(() -> client.getJob(jobId).status().isFinished());
        untilSent(() -> client.getServer(ids.get(0)));
        untilSent(() -> client.listServers(1, 10));
        catchThrowable(() -> client.getJob("missing"));
        await()
            .pollDelay(Duration.ofMillis(1100))
            .atMost(Duration.ofSeconds(5))
            .ignoreExceptionsMatching(SecretsStayOutOfLogsTest::refusedUnsent)
            .until(() -> client.getServer(ids.get(1)) != null);
        catchThrowable(client::toString);
      }
      catchThrowable(
          () ->
              sim.client(
                      new Credentials.Password(
                          sim.options.iamUser,
                          "wrong-password-xyz",
                          sim.options.iamDomain,
                          sim.simulator.baseUrl()))
                  .getServer(ids.get(0)));
      catchThrowable(
          () ->
              sim.client(new Credentials.AkSk(sim.options.accessKey, "wrong-secret-key-xyz", null))
                  .getServer(ids.get(0)));

      String logs =
          captured.list.stream()
              .map(
                  e ->
                      e.getFormattedMessage()
                          + (e.getThrowableProxy() != null
                              ? " " + e.getThrowableProxy().getMessage()
                              : ""))
              .collect(Collectors.joining("\n"));
      assertThat(captured.list).extracting(ILoggingEvent::getLevel).contains(Level.DEBUG);
      assertThat(logs)
          .contains("cloud call:")
          .contains("action submitted")
          .contains("IAM token obtained");
      assertThat(logs)
          .doesNotContain(sim.options.secretKey)
          .doesNotContain("wrong-secret-key-xyz")
          .doesNotContain(sim.options.iamPassword)
          .doesNotContain("wrong-password-xyz")
          .doesNotContain("MIIsim")
          .doesNotContain("Signature=")
          .doesNotContainPattern("[0-9a-f]{64}");
    }
  }

  /** Calls again while the call was refused unsent, as a caller rescheduling it would. */
  private static <T> T untilSent(Callable<T> call) {
    AtomicReference<T> result = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptionsMatching(SecretsStayOutOfLogsTest::refusedUnsent)
        .until(
            () -> {
              result.set(call.call());
              return true;
            });
    return result.get();
  }

  /** A 429 or the operator's own budget: the cloud did not act on the call. */
  private static boolean refusedUnsent(Throwable e) {
    return e instanceof CloudException c
        && (c.httpStatus() == 429 || CloudException.LOCAL_BUDGET.equals(c.code()));
  }
}
