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
}
