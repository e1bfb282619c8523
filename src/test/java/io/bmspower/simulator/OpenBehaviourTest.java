package io.bmspower.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The registry of switches a matrix runner iterates, and the presets over it. */
class OpenBehaviourTest {

  @Test
  void everyOpenBehaviourButTheHostHeaderHasASwitchWhoseEveryReadingParsesAndIsInTheHelp() {
    String help = help();

    assertThat(Arrays.stream(OpenBehaviour.values()).map(OpenBehaviour::number).distinct())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    for (OpenBehaviour b : OpenBehaviour.values()) {
      assertThat(b.readings()).hasSizeGreaterThanOrEqualTo(2);
      assertThat(b.readings()).extracting(OpenBehaviour.Reading::value).contains(b.defaultValue());
      assertThat(b.readings()).extracting(OpenBehaviour.Reading::value).contains(b.hostileValue());
      assertThat(help).contains("--" + b.option() + " ").contains("#" + b.number() + " ");
      assertThat(help).contains(SimulatorOptions.envName(b.option()));
      for (OpenBehaviour.Reading r : b.readings()) {
        assertThat(help).contains(r.value() + ": " + r.meaning());
        SimulatorOptions played =
            SimulatorOptions.parse(b.args(r.value()).toArray(String[]::new), Map.of());
        assertThat(played.readingsInPlay())
            .isEqualTo(
                r.value().equals(b.defaultValue())
                    ? List.of()
                    : List.of(b.option() + "=" + r.value()));
      }
    }
    assertThat(help).contains("#13").contains("Host header as it arrived");
  }

  @Test
  void theDefaultReadingsAreTodaysBehaviour() {
    SimulatorOptions back = new SimulatorOptions().readings(SimulatorOptions.Readings.HOSTILE);
    back.readings(SimulatorOptions.Readings.DEFAULT);

    assertThat(fields(back)).isEqualTo(fields(new SimulatorOptions()));
    assertThat(fields(SimulatorOptions.parse(new String[] {"--readings", "default"}, Map.of())))
        .isEqualTo(fields(new SimulatorOptions()));
  }

  @Test
  void theHostilePresetSetsTheHostileReadingOfEverySwitchAndExplicitSwitchesWin() {
    SimulatorOptions hostile =
        SimulatorOptions.parse(
            new String[] {"--state-errors", "subjob", "--readings", "hostile"},
            Map.of(SimulatorOptions.envName("clock-offset"), "3m"));

    assertThat(hostile.stateErrors).isEqualTo(SimulatorOptions.StateErrors.subjob);
    assertThat(hostile.clockOffset).isEqualTo(Duration.ofMinutes(3));
    assertThat(hostile.listPaging).isEqualTo(SimulatorOptions.ListPaging.row_offset);
    assertThat(hostile.post5xx).isEqualTo(SimulatorOptions.PostServerErrors.after_accept);
    assertThat(hostile.jobStartDelay).isEqualTo(Duration.ofSeconds(20));
    assertThat(hostile.jobNotFoundStatus).isEqualTo(400);
    assertThat(hostile.jobRetention).isEqualTo(Duration.ofMinutes(1));
    assertThat(hostile.finishedJobSubJobs).isEqualTo(SimulatorOptions.FinishedJobSubJobs.missing);
    assertThat(hostile.gatewayPrefix).isEqualTo("APIGW");
    assertThat(hostile.akLockAfter).isEqualTo(5);
    assertThat(hostile.duplicateIds).isEqualTo(SimulatorOptions.DuplicateIds.second_fails);
    assertThat(hostile.idCase).isEqualTo(SimulatorOptions.IdCase.sensitive);
    assertThat(hostile.overload).isEqualTo(SimulatorOptions.Overload.post);
    assertThat(hostile.nestedErrors).isTrue();
    assertThat(
            SimulatorOptions.parse(
                    new String[0], Map.of(SimulatorOptions.envName("readings"), "hostile"))
                .readingsInPlay())
        .hasSize(OpenBehaviour.values().length);
  }

  @Test
  void aBadReadingIsReportedWithWhatItMayBe() {
    assertThatThrownBy(
            () ->
                SimulatorOptions.parse(
                    new String[] {
                      "--readings", "nasty", "--state-errors", "whole_call", "--clock-offset", "-x"
                    },
                    Map.of()))
        .hasMessageContaining("--readings: invalid value 'nasty' (expected default|hostile")
        .hasMessageContaining("one of subjob, whole-call")
        .hasMessageContaining("--clock-offset: invalid value '-x'");
    assertThat(
            SimulatorOptions.parse(new String[] {"--clock-offset", "-90s"}, Map.of()).clockOffset)
        .isEqualTo(Duration.ofSeconds(-90));
  }

  private static String help() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SimulatorOptions.usage(new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The options' public fields by name, for comparing two option sets. */
  private static Map<String, Object> fields(SimulatorOptions options) {
    Map<String, Object> values = new LinkedHashMap<>();
    Stream.of(SimulatorOptions.class.getFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()))
        .forEach(f -> values.put(f.getName(), value(f, options)));
    return values;
  }

  private static Object value(Field field, SimulatorOptions options) {
    try {
      return field.get(options);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
