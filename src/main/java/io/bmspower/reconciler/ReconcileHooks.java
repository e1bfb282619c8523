package io.bmspower.reconciler;

/** Points in a submission where tests can stop the operator, as a crash would. */
public interface ReconcileHooks {

  ReconcileHooks NONE = point -> {};

  enum Point {
    BEFORE_INTENT,
    AFTER_INTENT,
    AFTER_POST,
    AFTER_JOB_ID,
    /** Right before any status write: where a test can make it conflict. */
    BEFORE_STATUS_WRITE,
    AFTER_POLL
  }

  void at(Point point);
}
