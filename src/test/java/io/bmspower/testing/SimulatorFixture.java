package io.bmspower.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmspower.cloud.CloudClientSettings;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.Credentials;
import io.bmspower.cloud.HttpBmsClient;
import io.bmspower.cloud.IamTokenProvider;
import io.bmspower.cloud.RateBudget;
import io.bmspower.simulator.BmsSimulator;
import io.bmspower.simulator.SimulatorOptions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** A simulator on a free port, and clients for it. */
public final class SimulatorFixture implements AutoCloseable {

  public final SimulatorOptions options;
  public final BmsSimulator simulator;

  private SimulatorFixture(SimulatorOptions options, Clock clock) {
    this.options = options;
    try {
      this.simulator = new BmsSimulator(options, clock).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SimulatorFixture start(Consumer<SimulatorOptions> configure) {
    return start(configure, Clock.systemUTC());
  }

  public static SimulatorFixture start(Consumer<SimulatorOptions> configure, Clock clock) {
    SimulatorOptions options = new SimulatorOptions();
    options.port = 0;
    options.servers = 50;
    options.jobDuration = Duration.ofMillis(300);
    configure.accept(options);
    return new SimulatorFixture(options, clock);
  }

  /** A Secret holding the simulator's AK/SK, as the operator reads it. */
  public static Secret akSkSecret(String namespace, String name, SimulatorOptions options) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withStringData(Map.of("accessKey", options.accessKey, "secretKey", options.secretKey))
        .build();
  }

  public Credentials.AkSk akSk() {
    return new Credentials.AkSk(options.accessKey, options.secretKey, null);
  }

  public Credentials.Password password() {
    return new Credentials.Password(
        options.iamUser, options.iamPassword, options.iamDomain, simulator.baseUrl());
  }

  public CloudEndpoint endpoint() {
    return CloudEndpoint.of(simulator.baseUrl(), options.projectId);
  }

  public HttpBmsClient client(Credentials credentials) {
    return client(credentials, CloudClientSettings.defaults(), Clock.systemUTC());
  }

  public HttpBmsClient client(Credentials credentials, CloudClientSettings settings, Clock clock) {
    return client(endpoint(), credentials, settings, clock);
  }

  public HttpBmsClient client(
      CloudEndpoint endpoint, Credentials credentials, CloudClientSettings settings, Clock clock) {
    return client(
        endpoint,
        credentials,
        settings,
        clock,
        new RateBudget("actions", settings.actionsPerMinute()),
        new RateBudget("queries", settings.queriesPerMinute()));
  }

  /** A client whose rate budgets the test made, e.g. on a clock it moves. */
  public HttpBmsClient client(Credentials credentials, RateBudget actions, RateBudget queries) {
    return client(
        endpoint(),
        credentials,
        CloudClientSettings.defaults(),
        Clock.systemUTC(),
        actions,
        queries);
  }

  private HttpBmsClient client(
      CloudEndpoint endpoint,
      Credentials credentials,
      CloudClientSettings settings,
      Clock clock,
      RateBudget actions,
      RateBudget queries) {
    HttpClient http = HttpBmsClient.newHttpClient(settings);
    return new HttpBmsClient(
        endpoint,
        credentials,
        http,
        new IamTokenProvider(http, settings.requestTimeout(), clock),
        actions,
        queries,
        settings,
        clock,
        HttpBmsClient.CallObserver.NONE);
  }

  /** {@code GET /_sim/stats}. */
  public JsonNode stats() {
    try {
      HttpClient http =
          HttpClient.newBuilder()
              .sslContext(new io.bmspower.cloud.TlsSettings(null, options.https).sslContext())
              .build();
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/_sim/stats")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return new ObjectMapper().readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public long requests(String operationAndStatus) {
    return stats().path("requests").path(operationAndStatus).asLong(0);
  }

  @Override
  public void close() {
    simulator.close();
  }
}
