package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CloudExceptionTest {

  @Test
  void aLocalThrottleIsRetryableAfterItsWaitAndSaysNothingWasSent() {
    CloudException e = CloudException.throttledLocally("getJob", Duration.ofMillis(1500));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
    assertThat(e.httpStatus()).isZero();
    assertThat(e.code()).isEqualTo(CloudException.LOCAL_BUDGET).isEqualTo("LOCAL_BUDGET");
    assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(1500));
    assertThat(e.requestId()).isNull();
    assertThat(e.getMessage())
        .contains("operator's own rate budget for getJob is spent")
        .contains("frees in 1500 ms")
        .contains("not sent");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "401|APIG.0301|Incorrect IAM authentication information: calc aksk signature fail:"
            + "signature expired, signature time:20300101T000000Z,server time:20300101T002000Z|true",
        "401|APIGW.0301|Incorrect IAM authentication information: request time skew too large|true",
        "401|APIGW.0303|Incorrect app authentication information: signature expired|true",
        "401|APIG.0301|Incorrect IAM authentication information: verify aksk signature fail|false",
        "401|APIG.0301|Incorrect IAM authentication information: decrypt token fail|false",
        "403|APIG.0302|signature expired|false",
        "400|BMS.0001|signature expired|false",
      })
  void anExpiredSignatureReadsAsTheClockNotTheCredentials(
      int status, String code, String message, boolean clockSkew) {
    String body = "{\"error_code\":\"" + code + "\",\"error_msg\":\"" + message + "\"}";

    CloudException e =
        ResponseParser.error(status, body, java.util.Optional.empty(), java.util.Optional.empty());

    assertThat(e.clockSkew()).isEqualTo(clockSkew);
  }
}
