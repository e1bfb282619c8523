package io.bmspower.cloud;

/** What a failed cloud call means for the caller. */
public enum ErrorClass {
  /**
   * Throttling (429, APIG.0308), overload (BMS.0212), 5xx to a query, or a network failure before
   * sending.
   */
  RETRYABLE,
  /** The server cannot be acted on (BMS.0040: it does not exist); retrying will not help. */
  SERVER_TERMINAL,
  /** The server is already in the wanted state (BMS.0039 on Stop, BMS.0038 on Start). */
  ALREADY_DONE,
  /** The credentials or permissions are refused (401/403, Common.0018); stop and tell a person. */
  CREDENTIALS,
  /**
   * The request was sent but no usable answer came (none, or a 5xx to the action POST): the action
   * may or may not have been accepted.
   */
  AMBIGUOUS,
  /** Any other refusal of the request (bad parameters and the like); retrying will not help. */
  TERMINAL
}
