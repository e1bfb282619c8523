package io.bmspower.cloud;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's cloud clients: one per (endpoint, project, credentials), sharing one HTTP client,
 * one IAM token cache, and one pair of rate budgets per (endpoint, project).
 */
public final class CloudClients {

  private final CloudClientSettings settings;
  private final Clock clock;
  private final HttpBmsClient.CallObserver observer;
  private final HttpClient http;
  private final IamTokenProvider tokens;
  private final Map<CloudEndpoint, RateBudget> actionBudgets = new ConcurrentHashMap<>();
  private final Map<CloudEndpoint, RateBudget> queryBudgets = new ConcurrentHashMap<>();
  private final Map<Key, BmsClient> clients = new ConcurrentHashMap<>();

  private record Key(CloudEndpoint endpoint, Credentials credentials) {}

  public CloudClients(
      CloudClientSettings settings, Clock clock, HttpBmsClient.CallObserver observer) {
    this.settings = settings;
    this.clock = clock;
    this.observer = observer;
    this.http = HttpBmsClient.newHttpClient(settings);
    this.tokens = new IamTokenProvider(http, settings.requestTimeout(), clock);
  }

  public BmsClient client(CloudEndpoint endpoint, Credentials credentials) {
    return clients.computeIfAbsent(
        new Key(endpoint, credentials),
        k ->
            new HttpBmsClient(
                endpoint,
                credentials,
                http,
                tokens,
                actionBudgets.computeIfAbsent(
                    endpoint,
                    e ->
                        new RateBudget(
                            "actions " + e.endpoint().getHost(), settings.actionsPerMinute())),
                queryBudgets.computeIfAbsent(
                    endpoint,
                    e ->
                        new RateBudget(
                            "queries " + e.endpoint().getHost(), settings.queriesPerMinute())),
                settings,
                clock,
                observer));
  }

  public int queriesPerMinute() {
    return settings.queriesPerMinute();
  }
}
