package io.bmspower.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.bmspower.api.v1alpha1.BareMetalPowerScheduleSpec;
import io.bmspower.api.v1alpha1.CloudSpec;
import io.bmspower.api.v1alpha1.Phase;
import io.bmspower.api.v1alpha1.PowerAction;
import io.bmspower.api.v1alpha1.SecretReference;
import io.bmspower.api.v1alpha1.ServerSelector;
import io.bmspower.cloud.CloudAction;
import io.bmspower.simulator.SimulatorOptions;
import io.bmspower.testing.MutableClock;
import io.bmspower.testing.OperatorHarness;
import io.bmspower.testing.SimulatorFixture;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Schedules against the real API server and the simulator, both on one movable clock (JOSDK's
 * timers stay real): the operator's clock decides when a run is due, the simulator's when its jobs
 * end. Runs are counted as the API server holds them and as the simulator counts submissions.
 */
class ScheduleIT {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  /** A Monday in the past: whatever day the test runs on, the schedule is created "after" it. */
  private static final LocalDate MONDAY = LocalDate.of(2025, 12, 1);

  private static Instant at(LocalDate day, int hour) {
    return ZonedDateTime.of(day, LocalTime.of(hour, 0), BERLIN).toInstant();
  }

  @Test
  void aWeekdayWindowRunsOneStopAndOneStartPerWeekdayForAWeekAcrossARestartAtRunTime() {
    var clock = new MutableClock(at(MONDAY, 5));
    try (var sim = SimulatorFixture.start(o -> o.servers = 30, clock);
        var h = new OperatorHarness(sim)) {
      List<String> fleet = sim.simulator.inventory().subList(0, 20);
      sim.simulator.tag(fleet, "fleet=lab");
      h.createAkSkSecret("bms-credentials");
      fast(h);
      h.startOperator(clock);
      create(
          h,
          sim,
          "lab-nights",
          spec -> {
            spec.setSchedule("0 20 * * 1-5");
            spec.setEndSchedule("0 7 * * 1-5");
            spec.setTimeZone("Europe/Berlin");
            spec.setSuccessfulRunsHistoryLimit(100);
            spec.getSelector().setTags(List.of("fleet=lab"));
          });
      awaitNext(h, "lab-nights", at(MONDAY, 7), "Start");

      List<String> expected = new ArrayList<>();
      for (int d = 0; d < 7; d++) {
        LocalDate day = MONDAY.plusDays(d);
        boolean weekday = d < 5;
        for (int hour : new int[] {7, 20}) {
          PowerAction action = hour == 7 ? PowerAction.Start : PowerAction.Stop;
          Instant t = at(day, hour);
          if (d == 2 && hour == 20) {
            // Wednesday: the operator restarts exactly at run time.
            h.stopOperator();
            clock.set(t);
            h.startOperator(clock);
          } else {
            clock.set(t);
          }
          if (!weekday) {
            awaitNext(h, "lab-nights", at(MONDAY.plusDays(7), 7), "Start");
            continue;
          }
          String name =
              "lab-nights-"
                  + action.name().toLowerCase(Locale.ROOT)
                  + "-"
                  + t.getEpochSecond() / 60;
          expected.add(name);
          awaitRun(h, "lab-nights", name);
          awaitSubmitted(h, name);
          clock.advance(Duration.ofMinutes(2));
          h.awaitPhase(name, Phase.Succeeded, Duration.ofSeconds(60));
        }
      }

      var runs =
          h.client.resources(BareMetalPowerAction.class).inNamespace(h.namespace).list().getItems();
      assertThat(runs)
          .extracting(r -> r.getMetadata().getName())
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(expected).hasSize(10);
      var perServer = sim.stats().path("submissionsPerServer");
      fleet.forEach(id -> assertThat(perServer.path(id).asInt()).as(id).isEqualTo(10));
      sim.simulator
          .inventory()
          .subList(20, 30)
          .forEach(id -> assertThat(perServer.path(id).asInt()).as(id).isZero());
      var status = schedule(h, "lab-nights").getStatus();
      assertThat(status.getLastAction()).isEqualTo("Stop");
      assertThat(status.getDesiredPower()).isEqualTo("Off");
    }
  }

  @Test
  void aTagSelectorOver5000ServersSelectsExactlyTheTaggedOnes() {
    var clock = new MutableClock(at(MONDAY, 5));
    try (var sim =
            SimulatorFixture.start(
                o -> {
                  o.servers = 5000;
                  o.tags = List.of(new SimulatorOptions.TagShare("env=lab", 0.3));
                },
                clock);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      fast(h);
      h.startOperator(clock);
      create(
          h,
          sim,
          "lab-reboot",
          spec -> {
            spec.setSchedule("0 6 * * *");
            spec.setTimeZone("Europe/Berlin");
            spec.getTemplate().setAction(PowerAction.Reboot);
            spec.getSelector().setTags(List.of("env=lab"));
          });
      awaitNext(h, "lab-reboot", at(MONDAY, 6), "Reboot");

      clock.set(at(MONDAY, 6));
      String name = "lab-reboot-reboot-" + at(MONDAY, 6).getEpochSecond() / 60;
      awaitRun(h, "lab-reboot", name);

      List<String> tagged = sim.simulator.serversTagged("env=lab");
      assertThat(tagged).hasSize(1500);
      assertThat(h.get(name).getSpec().getServers())
          .containsExactlyInAnyOrderElementsOf(
              tagged.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList());
    }
  }

  @Test
  void driftInAnOffWindowIsReportedAndWithEnforceCorrectedOnce() {
    var clock = new MutableClock(at(MONDAY, 19));
    try (var sim = SimulatorFixture.start(o -> o.servers = 10, clock);
        var h = new OperatorHarness(sim)) {
      List<String> fleet = sim.simulator.inventory();
      h.createAkSkSecret("bms-credentials");
      fast(h);
      h.startOperator(clock);
      create(
          h,
          sim,
          "nights",
          spec -> {
            spec.setSchedule("0 20 * * *");
            spec.setEndSchedule("0 7 * * *");
            spec.setTimeZone("Europe/Berlin");
            spec.getSelector().setIds(new ArrayList<>(fleet));
          });
      awaitNext(h, "nights", at(MONDAY, 20), "Stop");
      clock.set(at(MONDAY, 20));
      String stop = "nights-stop-" + at(MONDAY, 20).getEpochSecond() / 60;
      awaitRun(h, "nights", stop);
      awaitSubmitted(h, stop);
      clock.advance(Duration.ofMinutes(2));
      h.awaitPhase(stop, Phase.Succeeded, Duration.ofSeconds(60));

      // Someone powers three servers on by hand during the off-window.
      List<String> byHand = fleet.subList(0, 3);
      sim.client(sim.akSk(), io.bmspower.cloud.CloudClientSettings.defaults(), clock)
          .submit(CloudAction.START, byHand);
      clock.advance(Duration.ofMinutes(2));
      clock.advance(Duration.ofSeconds(2)); // past the drift check interval
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var drift = schedule(h, "nights").getStatus().getDrift();
                return drift != null && Integer.valueOf(3).equals(drift.getCount());
              });
      var reported = schedule(h, "nights");
      assertThat(reported.getStatus().getDrift().getServers())
          .containsExactlyInAnyOrderElementsOf(byHand);
      assertThat(condition(reported, "InDesiredState").getReason()).isEqualTo("Drift");
      assertThat(runs(h)).hasSize(1);

      // enforce: one corrective Stop of exactly those servers.
      h.client
          .resources(BareMetalPowerSchedule.class)
          .inNamespace(h.namespace)
          .withName("nights")
          .edit(
              s -> {
                s.getSpec().setEnforce(true);
                return s;
              });
      clock.advance(Duration.ofSeconds(2));
      await().atMost(Duration.ofSeconds(30)).until(() -> runs(h).size() == 2);
      var correction =
          runs(h).stream()
              .filter(r -> r.getMetadata().getName().contains("-enforce-"))
              .findFirst()
              .orElseThrow();
      assertThat(correction.getSpec().getAction()).isEqualTo(PowerAction.Stop);
      assertThat(correction.getSpec().getServers()).containsExactlyInAnyOrderElementsOf(byHand);
      awaitSubmitted(h, correction.getMetadata().getName());
      clock.advance(Duration.ofMinutes(2));
      h.awaitPhase(correction.getMetadata().getName(), Phase.Succeeded, Duration.ofSeconds(60));
      clock.advance(Duration.ofSeconds(2));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var drift = schedule(h, "nights").getStatus().getDrift();
                return drift != null && Integer.valueOf(0).equals(drift.getCount());
              });
      clock.advance(Duration.ofSeconds(2));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> "True".equals(condition(schedule(h, "nights"), "InDesiredState").getStatus()));

      assertThat(runs(h)).hasSize(2);
      assertThat(schedule(h, "nights").getStatus().getDrift().getCorrections()).isEqualTo(1);
      var perServer = sim.stats().path("submissionsPerServer");
      byHand.forEach(id -> assertThat(perServer.path(id).asInt()).as(id).isEqualTo(3));
      fleet
          .subList(3, 10)
          .forEach(id -> assertThat(perServer.path(id).asInt()).as(id).isEqualTo(1));
    }
  }

  @Test
  void aRunMadeByAProcessThatDiedBeforeItsStatusWriteIsAdoptedNotMadeTwice() {
    var clock = new MutableClock(at(MONDAY, 19));
    try (var sim = SimulatorFixture.start(o -> o.servers = 5, clock);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      fast(h);
      h.startOperator(clock);
      create(
          h,
          sim,
          "nightly",
          spec -> {
            spec.setSchedule("0 20 * * *");
            spec.setTimeZone("Europe/Berlin");
            spec.setConcurrencyPolicy(io.bmspower.api.v1alpha1.ConcurrencyPolicy.Forbid);
            spec.getSelector().setIds(new ArrayList<>(sim.simulator.inventory()));
          });
      awaitNext(h, "nightly", at(MONDAY, 20), "Stop");
      h.stopOperator();

      // The process that was running at 20:00 created the run, then died before writing status.
      clock.set(at(MONDAY, 20));
      String name = Runs.name(schedule(h, "nightly"), PowerAction.Stop, at(MONDAY, 20));
      h.client
          .resource(
              Runs.build(
                  schedule(h, "nightly"),
                  name,
                  PowerAction.Stop,
                  at(MONDAY, 20),
                  sim.simulator.inventory().stream()
                      .map(id -> id.toLowerCase(Locale.ROOT))
                      .toList()))
          .create();
      h.startOperator(clock);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  at(MONDAY, 20)
                      .toString()
                      .equals(schedule(h, "nightly").getStatus().getLastScheduleTime()));
      awaitSubmitted(h, name);
      clock.advance(Duration.ofMinutes(2));
      h.awaitPhase(name, Phase.Succeeded, Duration.ofSeconds(60));

      assertThat(runs(h)).extracting(r -> r.getMetadata().getName()).containsExactly(name);
      assertThat(schedule(h, "nightly").getStatus().getLastSkipped())
          .as("Forbid must not take the run for another one")
          .isNull();
      var perServer = sim.stats().path("submissionsPerServer");
      sim.simulator
          .inventory()
          .forEach(id -> assertThat(perServer.path(id).asInt()).as(id).isEqualTo(1));
    }
  }

  @Test
  void skipNextRunSkipsOneRunRecordsItAndIsRemoved() {
    var clock = new MutableClock(at(MONDAY, 19));
    try (var sim = SimulatorFixture.start(o -> o.servers = 5, clock);
        var h = new OperatorHarness(sim)) {
      h.createAkSkSecret("bms-credentials");
      fast(h);
      h.startOperator(clock);
      create(
          h,
          sim,
          "nightly",
          spec -> {
            spec.setSchedule("0 20 * * *");
            spec.setTimeZone("Europe/Berlin");
          });
      awaitNext(h, "nightly", at(MONDAY, 20), "Stop");
      h.client
          .resources(BareMetalPowerSchedule.class)
          .inNamespace(h.namespace)
          .withName("nightly")
          .edit(
              s -> {
                s.getMetadata().getAnnotations().put(BareMetalPowerSchedule.SKIP_NEXT_RUN, "true");
                return s;
              });

      clock.set(at(MONDAY, 20));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var s = schedule(h, "nightly");
                return s.getStatus().getLastSkipped() != null
                    && !s.getMetadata()
                        .getAnnotations()
                        .containsKey(BareMetalPowerSchedule.SKIP_NEXT_RUN);
              });
      assertThat(schedule(h, "nightly").getStatus().getLastSkipped())
          .startsWith(at(MONDAY, 20).toString())
          .contains("skip-next-run");
      assertThat(runs(h)).isEmpty();

      clock.set(at(MONDAY.plusDays(1), 20));
      awaitRun(
          h,
          "nightly",
          Runs.name(schedule(h, "nightly"), PowerAction.Stop, at(MONDAY.plusDays(1), 20)));
      assertThat(runs(h)).hasSize(1);
    }
  }

  @Test
  void cronAndTimeZoneAreCheckedAtAdmissionAndTheRestIsACondition() {
    try (var sim = SimulatorFixture.start(o -> o.servers = 5);
        var h = new OperatorHarness(sim)) {
      fast(h);
      h.startOperator();

      assertThatThrownBy(() -> create(h, sim, "bad-zone", s -> s.setTimeZone("Mars/Olympus_Mons")))
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("timeZone must be an IANA time zone");
      assertThatThrownBy(() -> create(h, sim, "six-fields", s -> s.setSchedule("0 0 20 * * 1")))
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("spec.schedule");
      assertThatThrownBy(
              () ->
                  create(
                      h,
                      sim,
                      "reboot-window",
                      s -> {
                        s.setEndSchedule("0 7 * * *");
                        s.getTemplate().setAction(PowerAction.Reboot);
                      }))
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("endSchedule needs template.action Stop or Start");

      create(h, sim, "minute-99", s -> s.setSchedule("99 * * * *"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                var s = schedule(h, "minute-99");
                return s.getStatus() != null
                    && s.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Valid"));
              });
      Condition valid = condition(schedule(h, "minute-99"), "Valid");
      assertThat(valid.getStatus()).isEqualTo("False");
      assertThat(valid.getReason()).isEqualTo("InvalidSchedule");
      assertThat(valid.getMessage()).contains("minute").contains("99");
      assertThat(runs(h)).isEmpty();
    }
  }

  private static void fast(OperatorHarness h) {
    h.settings.scheduleRecheck = Duration.ofMillis(200);
    h.settings.driftCheckInterval = Duration.ofSeconds(1);
  }

  private static void create(
      OperatorHarness h,
      SimulatorFixture sim,
      String name,
      Consumer<BareMetalPowerScheduleSpec> configure) {
    var schedule = new BareMetalPowerSchedule();
    schedule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(h.namespace).build());
    var spec = new BareMetalPowerScheduleSpec();
    spec.setSchedule("0 20 * * 1-5");
    spec.setSelector(new ServerSelector());
    spec.getSelector().setIds(new ArrayList<>(List.of(sim.simulator.inventory().get(0))));
    var cloud = new CloudSpec();
    cloud.setEndpoint(sim.simulator.baseUrl());
    cloud.setProjectId(sim.options.projectId);
    cloud.setCredentialsSecretRef(new SecretReference("bms-credentials"));
    spec.getTemplate().setCloud(cloud);
    configure.accept(spec);
    schedule.setSpec(spec);
    h.client.resource(schedule).create();
  }

  private static BareMetalPowerSchedule schedule(OperatorHarness h, String name) {
    return h.client
        .resources(BareMetalPowerSchedule.class)
        .inNamespace(h.namespace)
        .withName(name)
        .get();
  }

  private static List<BareMetalPowerAction> runs(OperatorHarness h) {
    return h.client
        .resources(BareMetalPowerAction.class)
        .inNamespace(h.namespace)
        .list()
        .getItems();
  }

  /**
   * The run's call was answered: only then does the test move the clock on, or the intent would
   * outlive --max-intent-age on the test's clock before its call went out.
   */
  private static void awaitSubmitted(OperatorHarness h, String run) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var r = h.get(run);
              return r.getStatus() != null
                  && r.getStatus().getBatches().stream().anyMatch(b -> b.getJobId() != null);
            });
  }

  private static void awaitRun(OperatorHarness h, String schedule, String run) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(h.get(run))
                    .as(
                        "run %s; schedule status %s",
                        run, Serialization.asJson(schedule(h, schedule).getStatus()))
                    .isNotNull());
  }

  private static void awaitNext(OperatorHarness h, String name, Instant next, String action) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var s = schedule(h, name);
              assertThat(s.getStatus()).as("status of %s", name).isNotNull();
              assertThat(s.getStatus().getNextScheduleTime() + " " + s.getStatus().getNextAction())
                  .as("next run of %s; status %s", name, Serialization.asJson(s.getStatus()))
                  .isEqualTo(next + " " + action);
            });
  }

  private static Condition condition(BareMetalPowerSchedule s, String type) {
    return s.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " in " + s.getStatus()));
  }
}
