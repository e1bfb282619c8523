package io.bmspower.cloud;

/** A failed cloud call: HTTP status, the cloud's error code and message, request ID and class. */
public class CloudException extends RuntimeException {

  private final int httpStatus;
  private final String code;
  private final String requestId;
  private final ErrorClass errorClass;
  private final transient java.time.Duration retryAfter;

  public CloudException(
      int httpStatus,
      String code,
      String message,
      String requestId,
      ErrorClass errorClass,
      java.time.Duration retryAfter,
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

  /** The wait a 429 asked for, or null. */
  public java.time.Duration retryAfter() {
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
        + ", requestId="
        + requestId
        + ", message="
        + getMessage()
        + "}";
  }
}
