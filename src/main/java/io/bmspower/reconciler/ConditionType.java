package io.bmspower.reconciler;

/**
 * The conditions a BareMetalPowerAction carries, in display order. Ready, Reconciling and Stalled
 * follow the kstatus conventions, so Flux health checks and {@code kubectl wait
 * --for=condition=Ready} wait for the action to finish.
 */
enum ConditionType {
  Ready,
  Reconciling,
  Stalled,
  Accepted,
  Permitted,
  CredentialsValid,
  Progressing,
  Complete,
  Failed,
  Suspended
}
