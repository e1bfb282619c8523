package io.bmspower.reconciler;

/** Points in a submission where tests can stop the operator, as a crash would. */
public interface ReconcileHooks {

  ReconcileHooks NONE = point -> {};

  enum Point {
    BEFORE_INTENT,
    AFTER_INTENT,
    AFTER_POST,
    AFTER_JOB_ID,
    AFTER_POLL
  }

  void at(Point point);
}
