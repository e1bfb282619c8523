package io.bmspower.cloud;

import java.util.Set;

/** Maps an HTTP status and the cloud's error code to an {@link ErrorClass}. */
public final class ErrorClassifier {

  private static final Set<String> RETRYABLE_CODES =
      Set.of("APIG.0308", "APIGW.0308", "IAM.0012", "BMS.0212", "APIG.0613", "APIGW.0613");
  private static final Set<String> CREDENTIAL_CODES =
      Set.of(
          "Common.0018",
          "BMS.0004",
          "BMS.0005",
          "BMS.0032",
          "BMS.0033",
          "BMS.0288",
          "BMS.3011",
          "IAM.0066",
          "IAM.0067");

  /** Transitions in progress: the server is busy now and may accept the action later. */
  private static final Set<String> BUSY_CODES = Set.of("BMS.0035", "BMS.0036", "BMS.0037");

  /** The gateway lost the backend's answer: backend unavailable (502), backend timeout (504). */
  private static final Set<String> ANSWER_LOST_CODES =
      Set.of("APIG.0202", "APIG.0203", "APIGW.0202", "APIGW.0203");

  private ErrorClassifier() {}

  /**
   * Classifies a refusal of the action POST. A 5xx or a lost backend answer (APIG.0202/0203) does
   * not tell whether the job was created: {@link ErrorClass#AMBIGUOUS}, never a blind retry, which
   * could act twice. Throttling and overload codes still mean the call was not executed.
   */
  public static ErrorClass classifyAction(int httpStatus, String code) {
    String c = code == null ? "" : code;
    if (ANSWER_LOST_CODES.contains(c)) {
      return ErrorClass.AMBIGUOUS;
    }
    ErrorClass refusal = classify(httpStatus, c);
    boolean refusedBeforeExecution = RETRYABLE_CODES.contains(c) || BUSY_CODES.contains(c);
    // A 408 (the gateway gave up waiting) may, like a 5xx, come after the backend took the call.
    boolean answerLost = httpStatus >= 500 || httpStatus == 408;
    return refusal == ErrorClass.RETRYABLE && answerLost && !refusedBeforeExecution
        ? ErrorClass.AMBIGUOUS
        : refusal;
  }

  /**
   * A refusal of the whole action call for a server's state (#1, whole-call reading): BMS.0039
   * already stopped, BMS.0038 already running, BMS.0035-0037 in transition. Nothing was executed.
   */
  public static boolean stateRefusal(int httpStatus, String code) {
    return httpStatus >= 400
        && httpStatus < 500
        && ("BMS.0038".equals(code) || "BMS.0039".equals(code) || BUSY_CODES.contains(code));
  }

  public static ErrorClass classify(int httpStatus, String code) {
    String c = code == null ? "" : code;
    if (RETRYABLE_CODES.contains(c) || BUSY_CODES.contains(c) || httpStatus == 429) {
      return ErrorClass.RETRYABLE;
    }
    if (c.equals("BMS.0040")) {
      return ErrorClass.SERVER_TERMINAL;
    }
    if (CREDENTIAL_CODES.contains(c)
        || c.startsWith("APIG.03")
        || c.startsWith("APIGW.03")
        || httpStatus == 401
        || httpStatus == 403) {
      return ErrorClass.CREDENTIALS;
    }
    if (httpStatus >= 500 || httpStatus == 408) {
      return ErrorClass.RETRYABLE;
    }
    return ErrorClass.TERMINAL;
  }

  /**
   * Classifies one server's failure in a job. A server already in the wanted state is done: Stop of
   * a stopped server (BMS.0039), Start of a running one (BMS.0038).
   */
  public static ErrorClass classifySubJob(CloudAction action, String code) {
    String c = code == null ? "" : code;
    if ((action == CloudAction.STOP && c.equals("BMS.0039"))
        || (action == CloudAction.START && c.equals("BMS.0038"))) {
      return ErrorClass.ALREADY_DONE;
    }
    if (c.equals("BMS.0040")) {
      return ErrorClass.SERVER_TERMINAL;
    }
    if (c.isEmpty()
        || RETRYABLE_CODES.contains(c)
        || BUSY_CODES.contains(c)
        || c.equals("BMS.0006")
        || c.equals("BMS.3037")
        || c.equals("BMS.1006")) {
      return ErrorClass.RETRYABLE;
    }
    return ErrorClass.TERMINAL;
  }
}
