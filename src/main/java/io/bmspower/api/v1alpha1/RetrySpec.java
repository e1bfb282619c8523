package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** How often a server is tried when it fails for a reason worth retrying. */
public class RetrySpec {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  @JsonPropertyDescription(
      "Attempts per server for retryable failures (throttling, overload, 5xx), 1 to 10; default 3.")
  @Default("3")
  @Min(1)
  @Max(10)
  private Integer maxAttempts = DEFAULT_MAX_ATTEMPTS;

  public RetrySpec() {}

  public RetrySpec(int maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  public Integer getMaxAttempts() {
    return maxAttempts;
  }

  public void setMaxAttempts(Integer maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetrySpec && Objects.equals(maxAttempts, ((RetrySpec) o).maxAttempts);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(maxAttempts);
  }
}
