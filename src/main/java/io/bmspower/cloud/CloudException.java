package io.bmspower.cloud;

import java.time.Duration;

/** A failed cloud call: HTTP status, the cloud's error code and message, request ID and class. */
public class CloudException extends RuntimeException {

  /** The code of {@link #throttledLocally}: the request was not sent. */
  public static final String LOCAL_BUDGET = "LOCAL_BUDGET";

  private final int httpStatus;
  private final String code;
  private final String requestId;
  private final ErrorClass errorClass;
  private final transient Duration retryAfter;

  public CloudException(
      int httpStatus,
      String code,
      String message,
      String requestId,
      ErrorClass errorClass,
      Duration retryAfter,
      Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.code = code;
    this.requestId = requestId;
    this.errorClass = errorClass;
    this.retryAfter = retryAfter;
  }

  /** A network failure: {@code sent} tells whether the request may have reached the cloud. */
  public static CloudException network(String operation, boolean sent, Throwable cause) {
    String what = sent ? "no answer after sending" : "could not connect";
    return new CloudException(
        0,
        sent ? "NETWORK_NO_ANSWER" : "NETWORK_UNREACHABLE",
        operation + ": " + what + ": " + cause,
        null,
        sent ? ErrorClass.AMBIGUOUS : ErrorClass.RETRYABLE,
        null,
        cause);
  }

  /**
   * The operator's own rate budget for {@code operation} is spent: the request was not sent, and
   * may be sent after {@code wait}.
   */
  public static CloudException throttledLocally(String operation, Duration wait) {
    return new CloudException(
        0,
        LOCAL_BUDGET,
        "the operator's own rate budget for "
            + operation
            + " is spent; it frees in "
            + wait.toMillis()
            + " ms. The request was not sent.",
        null,
        ErrorClass.RETRYABLE,
        wait,
        null);
  }

  /** The code of {@link #intentExpired}: the request was not sent. */
  public static final String INTENT_EXPIRED = "INTENT_EXPIRED";

  /** The POST would start later than its intent allows: not sent. */
  public static CloudException intentExpired() {
    return new CloudException(
        0,
        INTENT_EXPIRED,
        "the action call would start later than its intent allows; it was not sent",
        null,
        ErrorClass.RETRYABLE,
        null,
        null);
  }

  /**
   * The gateway refused the signature's time, not the key: 401 APIG(W).0301 (or .0303) whose
   * message says "signature expired" or the request time is skewed. The operator's clock differs
   * from the cloud's by more than 15 minutes; fixing the Secret will not help.
   */
  public boolean clockSkew() {
    String c = code == null ? "" : code;
    String message = getMessage() == null ? "" : getMessage().toLowerCase(java.util.Locale.ROOT);
    return httpStatus == 401
        && (c.endsWith(".0301") || c.endsWith(".0303"))
        && (message.contains("signature expired")
            || message.contains("time skew")
            || message.contains("timestamp expired"));
  }

  /**
   * Throttling, by the gateway (429, APIG(W).0308) or the operator's own budget: the call was not
   * made for now, and waiting is the whole cure (not bounded by attempts).
   */
  public boolean throttling() {
    String c = code == null ? "" : code;
    return httpStatus == 429 || c.endsWith(".0308") || LOCAL_BUDGET.equals(c);
  }

  /**
   * The gateway locked the access key for a while after repeated failed signatures (#7): "AK access
   * failed to reach the limit,forbidden". Not a verdict on the Secret: it passes by itself.
   */
  public boolean akLocked() {
    String message = getMessage() == null ? "" : getMessage().toLowerCase(java.util.Locale.ROOT);
    return httpStatus == 401 && message.contains("reach the limit");
  }

  /** 0 when no HTTP answer came. */
  public int httpStatus() {
    return httpStatus;
  }

  public String code() {
    return code;
  }

  public String requestId() {
    return requestId;
  }

  public ErrorClass errorClass() {
    return errorClass;
  }

  /**
   * The wait a 429 asked for (at most {@link ResponseParser#MAX_RETRY_AFTER}) or the local budget
   * needs, or null.
   */
  public Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public String toString() {
    return "CloudException{status="
        + httpStatus
        + ", code="
        + code
        + ", class="
        + errorClass
        + (clockSkew() ? ", clockSkew=true" : "")
        + ", requestId="
        + requestId
        + ", message="
        + getMessage()
        + "}";
  }
}
