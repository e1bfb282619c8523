package io.bmspower.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import io.bmspower.OperatorMetrics;
import io.bmspower.testing.Promtool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Grafana dashboard and PrometheusRule, checked with promtool ({@code make test-env}
 * builds it): the rules load, the alerts fire and stay quiet as alerts.test.yaml says, every
 * dashboard query is valid PromQL, and both use exactly the series of hack/e2e/expected-series.txt,
 * which the operator's registry really exports.
 */
class ObservabilityIT {

  static final Path CHART = Path.of("helm/bms-power-operator");
  static final Path DASHBOARD = CHART.resolve("dashboards/bms-power-operator.json");
  static final Path ALERT_TESTS = Path.of("src/test/resources/observability/alerts.test.yaml");
  static final Path EXPECTED_SERIES = Path.of("hack/e2e/expected-series.txt");
  static final Set<String> ALERTS =
      Set.of(
          "BmsPowerActionStuck",
          "BmsCloudCredentialsRejected",
          "BmsCloudThrottled",
          "BmsServersFailing");

  // Grafana's own variables, given the values a query would get, so promtool can parse it.
  static final Map<String, String> GRAFANA_VARIABLES =
      Map.of("$__rate_interval", "5m", "$__interval", "1m", "$__range", "6h");
  // Operators, modifiers and aggregations: words in an expression that are not metrics.
  static final Set<String> PROMQL_KEYWORDS =
      Set.of(
          ("and or unless by without on ignoring group_left group_right offset bool atan2 inf nan"
                  + " sum min max avg group stddev stdvar count count_values bottomk topk quantile"
                  + " limitk limit_ratio")
              .split(" "));

  @TempDir Path work;

  @Test
  void alertsAreValidRulesAndFireAsTheirUnitTestsSay() throws Exception {
    List<Map<String, Object>> groups = ruleGroups(renderAllOn());

    Files.writeString(work.resolve("rules-full.yaml"), rulesFile(groups));
    promtool("check", "rules", "rules-full.yaml");
    // The unit tests check when and with which labels; annotation templates were checked above.
    Files.writeString(work.resolve("rules.yaml"), rulesFile(withoutAnnotations(groups)));
    Files.copy(ALERT_TESTS, work.resolve("alerts.test.yaml"));
    promtool("test", "rules", "alerts.test.yaml");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertHasSeverityActionableTextAndUnitTestsThatFireAndDoNot() throws Exception {
    List<Map<String, Object>> rules = alertRules(renderAllOn());

    assertThat(rules).extracting(r -> r.get("alert")).containsExactlyInAnyOrderElementsOf(ALERTS);
    for (Map<String, Object> rule : rules) {
      var labels = (Map<String, Object>) rule.get("labels");
      var annotations = (Map<String, Object>) rule.get("annotations");
      assertThat(labels).as("%s labels", rule.get("alert")).containsKey("severity");
      assertThat(annotations)
          .as("%s annotations", rule.get("alert"))
          .hasEntrySatisfying("summary", s -> assertThat((String) s).isNotBlank())
          .hasEntrySatisfying("description", d -> assertThat((String) d).hasSizeGreaterThan(200));
    }
    Map<String, Object> unitTests =
        Serialization.unmarshal(Files.newInputStream(ALERT_TESTS), Map.class);
    List<Map<String, Object>> cases =
        ((List<Map<String, Object>>) unitTests.get("tests"))
            .stream()
                .flatMap(t -> ((List<Map<String, Object>>) t.get("alert_rule_test")).stream())
                .toList();
    for (String alert : ALERTS) {
      var forAlert = cases.stream().filter(c -> alert.equals(c.get("alertname"))).toList();
      assertThat(forAlert)
          .as("alerts.test.yaml has %s firing and %s quiet", alert, alert)
          .anyMatch(c -> !((List<?>) c.get("exp_alerts")).isEmpty())
          .anyMatch(c -> ((List<?>) c.get("exp_alerts")).isEmpty());
    }
  }

  @Test
  void theDashboardShipsInALabelledConfigMapAndEveryQueryIsValidPromQL() throws Exception {
    ConfigMap configMap = dashboardConfigMap(renderAllOn());
    assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(configMap.getMetadata().getNamespace()).isEqualTo("bms-system");
    String json = configMap.getData().get("bms-power-operator.json");
    assertThat(json).isEqualTo(Files.readString(DASHBOARD).strip());

    JsonNode dashboard = new ObjectMapper().readTree(json);
    assertThat(dashboard.path("templating").path("list"))
        .anySatisfy(
            v -> {
              assertThat(v.path("name").asText()).isEqualTo("datasource");
              assertThat(v.path("type").asText()).isEqualTo("datasource");
              assertThat(v.path("query").asText()).isEqualTo("prometheus");
            });
    List<Map<String, Object>> records = new ArrayList<>();
    for (JsonNode panel : panels(dashboard)) {
      String title = panel.path("title").asText();
      assertThat(panel.path("datasource").path("uid").asText())
          .as("panel %s datasource", title)
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as("panel %s queries", title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(
            "record",
            "dashboard:panel_" + panel.path("id").asInt() + "_" + target.path("refId").asText());
        record.put("expr", promql(target.path("expr").asText()));
        records.add(record);
      }
    }
    assertThat(records).hasSizeGreaterThanOrEqualTo(15);
    // A recording rule per query: promtool parses each as PromQL.
    Files.writeString(
        work.resolve("dashboard-queries.yaml"),
        rulesFile(List.of(Map.of("name", "dashboard", "rules", records))));
    promtool("check", "rules", "dashboard-queries.yaml");
  }

  @Test
  void theDashboardAndTheAlertsUseExactlyTheExpectedSeries() throws Exception {
    var objects = renderAllOn();
    Set<String> used = new TreeSet<>();
    for (JsonNode panel : panels(new ObjectMapper().readTree(Files.readString(DASHBOARD)))) {
      panel.path("targets").forEach(t -> used.addAll(metricNames(promql(t.path("expr").asText()))));
    }
    alertRules(objects).forEach(r -> used.addAll(metricNames((String) r.get("expr"))));

    assertThat(used)
        .as(
            "the series the dashboard and the alerts query; %s lists them, sorted, one per line,"
                + " for the end-to-end test that scrapes /metrics",
            EXPECTED_SERIES)
        .containsExactlyElementsOf(expectedSeries());
  }

  @Test
  void theExpectedSeriesAreWhatTheOperatorsRegistryExports() throws Exception {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var metrics = new OperatorMetrics(registry);
    // Every meter once: most register at their first use.
    metrics.cloudCall("getJob", "ok", Duration.ofMillis(30));
    metrics.cloudCall("submit", "throttled", Duration.ofMillis(5));
    metrics.cloudCall("submit", "credentials", Duration.ofMillis(5));
    metrics.servers("succeeded", 3);
    metrics.servers("failed", 1);
    metrics.statusWrite();
    metrics.leader(true);
    metrics.leaseTransitions(2);
    metrics.requestDropped("expired");
    metrics.budgetGranted("team-a", Duration.ofSeconds(2));
    metrics.jobsInFlight(() -> 1);

    Set<String> exported =
        registry
            .scrape()
            .lines()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .map(l -> l.split("[{ ]", 2)[0])
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(exported).containsAll(expectedSeries());
  }

  @Test
  @SuppressWarnings("unchecked")
  void offByDefaultAndConfigurable() throws Exception {
    assertThat(
            render(new Helm(CHART).template().withName("bpo").withNamespace("bms-system").call()))
        .noneMatch(o -> o.getKind().equals("PrometheusRule"))
        .noneMatch(o -> o.getMetadata().getName().endsWith("-dashboard"));

    var objects =
        render(
            new Helm(CHART)
                .template()
                .withName("bpo")
                .withNamespace("bms-system")
                .set("grafana.dashboard.enabled", true)
                .set("grafana.dashboard.label", "dashboards")
                .set("grafana.dashboard.labelValue", "bms")
                .set("grafana.dashboard.namespace", "monitoring")
                .set("prometheusRule.enabled", true)
                .set("prometheusRule.labels.release", "kube-prometheus-stack")
                .set("prometheusRule.alertLabels.team", "infra")
                .set("prometheusRule.alerts.throttled.enabled", false)
                .set("prometheusRule.alerts.serversFailing.threshold", 10)
                .set("prometheusRule.alerts.serversFailing.severity", "critical")
                .call());

    ConfigMap configMap = dashboardConfigMap(objects);
    assertThat(configMap.getMetadata().getLabels()).containsEntry("dashboards", "bms");
    assertThat(configMap.getMetadata().getNamespace()).isEqualTo("monitoring");
    HasMetadata rule = prometheusRule(objects);
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    var rules = alertRules(objects);
    assertThat(rules)
        .extracting(r -> r.get("alert"))
        .doesNotContain("BmsCloudThrottled")
        .hasSize(3);
    assertThat(rules)
        .allSatisfy(
            r -> assertThat((Map<String, Object>) r.get("labels")).containsEntry("team", "infra"));
    var failing =
        rules.stream().filter(r -> r.get("alert").equals("BmsServersFailing")).findFirst().get();
    assertThat((String) failing.get("expr")).contains("> 10");
    assertThat((Map<String, Object>) failing.get("labels")).containsEntry("severity", "critical");
  }

  /**
   * The metric names in a PromQL expression: identifiers outside strings, label matchers, ranges
   * and grouping clauses that are neither functions nor keywords.
   */
  static Set<String> metricNames(String expr) {
    String bare =
        expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
            .replaceAll("'(?:[^'\\\\]|\\\\.)*'", "''")
            .replaceAll("\\{[^}]*}", "")
            .replaceAll("\\[[^]]*]", "")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "$1");
    Matcher identifiers =
        Pattern.compile("(?<![\\w:.])[a-zA-Z_:][\\w:]*+(?!\\s*\\()").matcher(bare);
    Set<String> names = new TreeSet<>();
    while (identifiers.find()) {
      if (!PROMQL_KEYWORDS.contains(identifiers.group().toLowerCase())) {
        names.add(identifiers.group());
      }
    }
    return names;
  }

  private void promtool(String... args) throws Exception {
    Promtool.Result result = Promtool.run(work, args);
    assertThat(result.exit())
        .as("promtool %s:\n%s", String.join(" ", args), result.output())
        .isZero();
  }

  private static String promql(String grafanaExpr) {
    String expr = grafanaExpr;
    for (var variable : GRAFANA_VARIABLES.entrySet()) {
      expr = expr.replace(variable.getKey(), variable.getValue());
    }
    assertThat(expr).as("a Grafana variable this test does not know").doesNotContain("$");
    return expr;
  }

  private static List<String> expectedSeries() throws Exception {
    List<String> lines = Files.readAllLines(EXPECTED_SERIES);
    assertThat(lines).as("%s: sorted, one name per line", EXPECTED_SERIES).isSorted();
    assertThat(lines).allMatch(l -> l.matches("[a-zA-Z_:][\\w:]*"));
    return lines;
  }

  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      // A collapsed row holds its panels.
      if (panel.path("type").asText().equals("row")) {
        panel.path("panels").forEach(panels::add);
      } else {
        panels.add(panel);
      }
    }
    return panels;
  }

  private static List<HasMetadata> renderAllOn() {
    return render(
        new Helm(CHART)
            .template()
            .withName("bpo")
            .withNamespace("bms-system")
            .set("grafana.dashboard.enabled", true)
            .set("prometheusRule.enabled", true)
            .call());
  }

  private static List<HasMetadata> render(String manifests) {
    return Serialization.unmarshal(
        new ByteArrayInputStream(manifests.getBytes(StandardCharsets.UTF_8)));
  }

  private static ConfigMap dashboardConfigMap(List<HasMetadata> objects) {
    List<ConfigMap> found =
        objects.stream()
            .filter(o -> o instanceof ConfigMap && o.getMetadata().getName().endsWith("-dashboard"))
            .map(ConfigMap.class::cast)
            .toList();
    assertThat(found).as("the dashboard ConfigMap").hasSize(1);
    return found.get(0);
  }

  private static HasMetadata prometheusRule(List<HasMetadata> objects) {
    List<HasMetadata> found =
        objects.stream().filter(o -> o.getKind().equals("PrometheusRule")).toList();
    assertThat(found).as("the PrometheusRule").hasSize(1);
    assertThat(found.get(0).getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> ruleGroups(List<HasMetadata> objects) {
    var rule = (GenericKubernetesResource) prometheusRule(objects);
    return rule.get("spec", "groups");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> alertRules(List<HasMetadata> objects) {
    return ruleGroups(objects).stream()
        .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
        .toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> withoutAnnotations(List<Map<String, Object>> groups) {
    List<Map<String, Object>> copy = new ArrayList<>();
    for (Map<String, Object> group : groups) {
      Map<String, Object> g = new LinkedHashMap<>(group);
      g.put(
          "rules",
          ((List<Map<String, Object>>) group.get("rules"))
              .stream()
                  .map(
                      r -> {
                        Map<String, Object> rule = new LinkedHashMap<>(r);
                        rule.remove("annotations");
                        return rule;
                      })
                  .toList());
      copy.add(g);
    }
    return copy;
  }

  private static String rulesFile(List<Map<String, Object>> groups) {
    return Serialization.asYaml(Map.of("groups", groups));
  }
}
