package io.bmspower.cloud;

/** A job's or sub-job's status; values the docs do not list read as {@link #UNKNOWN}. */
public enum JobStatus {
  INIT,
  RUNNING,
  SUCCESS,
  FAIL,
  /** Huawei Cloud only: a yearly/monthly order awaits payment. */
  PENDING_PAYMENT,
  UNKNOWN;

  public static JobStatus parse(String value) {
    if (value == null) {
      return UNKNOWN;
    }
    try {
      return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }

  public boolean isFinished() {
    return this == SUCCESS || this == FAIL;
  }
}
