package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorClassifierTest {

  @ParameterizedTest
  @CsvSource({
    "429, APIG.0308, RETRYABLE",
    "429, APIGW.0308, RETRYABLE",
    "400, BMS.0212, RETRYABLE",
    "500, BMS.9999, RETRYABLE",
    "503, APIG.0203, RETRYABLE",
    "503, '', RETRYABLE",
    "400, BMS.0040, SERVER_TERMINAL",
    "401, APIG.0301, CREDENTIALS",
    "401, APIG.0303, CREDENTIALS",
    "401, APIG.0307, CREDENTIALS",
    "403, APIG.0302, CREDENTIALS",
    "400, Common.0018, CREDENTIALS",
    "403, BMS.0033, CREDENTIALS",
    "401, IAM.0062, CREDENTIALS",
    "400, BMS.0205, TERMINAL",
    "400, BMS.0001, TERMINAL",
  })
  void classifiesRequestErrors(int status, String code, ErrorClass expected) {
    assertThat(ErrorClassifier.classify(status, code)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "500, BMS.9999, AMBIGUOUS",
    "502, APIG.0202, AMBIGUOUS",
    "504, APIGW.0203, AMBIGUOUS",
    "503, '', AMBIGUOUS",
    "500, '', AMBIGUOUS",
    "408, '', AMBIGUOUS",
    "400, APIG.0203, AMBIGUOUS",
    "429, APIG.0308, RETRYABLE",
    "503, APIG.0308, RETRYABLE",
    "400, BMS.0212, RETRYABLE",
    "400, BMS.0036, RETRYABLE",
    "401, APIG.0301, CREDENTIALS",
    "400, BMS.0040, SERVER_TERMINAL",
    "400, BMS.0001, TERMINAL",
  })
  void aServerErrorAnsweringTheActionCallLeavesItsOutcomeUnknown(
      int status, String code, ErrorClass expected) {
    assertThat(ErrorClassifier.classifyAction(status, code)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "STOP, BMS.0039, ALREADY_DONE",
    "START, BMS.0038, ALREADY_DONE",
    "REBOOT, BMS.0039, TERMINAL",
    "STOP, BMS.0040, SERVER_TERMINAL",
    "STOP, BMS.0036, RETRYABLE",
    "STOP, BMS.0006, RETRYABLE",
    "STOP, BMS.0212, RETRYABLE",
    "START, BMS.3037, RETRYABLE",
    "STOP, BMS.0004, TERMINAL",
  })
  void classifiesServerFailuresInJobs(CloudAction action, String code, ErrorClass expected) {
    assertThat(ErrorClassifier.classifySubJob(action, code)).isEqualTo(expected);
  }
}
