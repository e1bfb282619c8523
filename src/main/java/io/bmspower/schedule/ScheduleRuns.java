package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.bmspower.api.v1alpha1.Phase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schedule's runs and its own object in the Kubernetes API: the runs it owns (newest first, old
 * ones pruned to the history limits), creating one idempotently, deleting one, writing the
 * schedule's status, removing a used annotation.
 */
final class ScheduleRuns {

  private static final Logger LOG = LoggerFactory.getLogger(ScheduleRuns.class);

  private final KubernetesClient kubernetes;

  ScheduleRuns(KubernetesClient kubernetes) {
    this.kubernetes = kubernetes;
  }

  List<BareMetalPowerAction> observe(BareMetalPowerSchedule schedule) {
    List<BareMetalPowerAction> runs =
        kubernetes
            .resources(BareMetalPowerAction.class)
            .inNamespace(schedule.getMetadata().getNamespace())
            .withLabel(BareMetalPowerSchedule.SCHEDULE_LABEL, Runs.label(schedule))
            .list()
            .getItems()
            .stream()
            .filter(r -> Runs.ownedBy(r, schedule))
            .sorted(Comparator.comparing(Runs::scheduledAt).reversed())
            .toList();
    var status = schedule.getStatus();
    runs.stream()
        .filter(r -> Runs.phase(r) == Phase.Succeeded && r.getStatus().getCompletionTime() != null)
        .map(r -> r.getStatus().getCompletionTime())
        .max(Comparator.naturalOrder())
        .ifPresent(status::setLastSuccessfulTime);
    prune(schedule, runs);
    return runs;
  }

  /** Deletes finished runs beyond the history limits, oldest first. */
  private void prune(BareMetalPowerSchedule schedule, List<BareMetalPowerAction> newestFirst) {
    int keepOk = Objects.requireNonNullElse(schedule.getSpec().getSuccessfulRunsHistoryLimit(), 3);
    int keepFailed = Objects.requireNonNullElse(schedule.getSpec().getFailedRunsHistoryLimit(), 1);
    int ok = 0;
    int failed = 0;
    for (BareMetalPowerAction r : newestFirst) {
      if (!Runs.finished(r)) {
        continue;
      }
      boolean success = Runs.phase(r) == Phase.Succeeded;
      int seen = success ? ++ok : ++failed;
      if (seen > (success ? keepOk : keepFailed)) {
        try {
          kubernetes.resource(r).delete();
        } catch (KubernetesClientException e) {
          LOG.debug("could not delete old run {}: {}", r.getMetadata().getName(), e.getMessage());
        }
      }
    }
  }

  /**
   * Creates the run: true; false when this schedule's run of that name exists already (an earlier
   * pass or process made it); null when the name is taken by an object the schedule does not own.
   */
  Boolean create(BareMetalPowerSchedule schedule, BareMetalPowerAction run) {
    try {
      kubernetes.resource(run).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      BareMetalPowerAction existing =
          kubernetes
              .resources(BareMetalPowerAction.class)
              .inNamespace(run.getMetadata().getNamespace())
              .withName(run.getMetadata().getName())
              .get();
      if (existing == null) {
        // Deleted between the create and the read (a Replace, say): try again next pass.
        throw new IllegalStateException(
            "run " + run.getMetadata().getName() + " is being deleted; creating it again shortly");
      }
      return Runs.ownedBy(existing, schedule) ? Boolean.FALSE : null;
    }
  }

  /** Removes the used skip-next-run annotation; false when that failed (try again soon). */
  boolean consumeSkipNext(BareMetalPowerSchedule schedule) {
    try {
      kubernetes
          .resources(BareMetalPowerSchedule.class)
          .inNamespace(schedule.getMetadata().getNamespace())
          .withName(schedule.getMetadata().getName())
          .edit(
              s -> {
                if (s.getMetadata().getAnnotations() != null) {
                  s.getMetadata().getAnnotations().remove(BareMetalPowerSchedule.SKIP_NEXT_RUN);
                }
                return s;
              });
      return true;
    } catch (KubernetesClientException e) {
      LOG.warn("could not remove {}: {}", BareMetalPowerSchedule.SKIP_NEXT_RUN, e.getMessage());
      return false;
    }
  }

  boolean writeStatus(BareMetalPowerSchedule schedule) {
    try {
      kubernetes
          .resources(BareMetalPowerSchedule.class)
          .inNamespace(schedule.getMetadata().getNamespace())
          .resource(schedule)
          .updateStatus();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  /** An object of this name exists and this schedule does not own it. */
  boolean foreign(BareMetalPowerSchedule schedule, String name) {
    BareMetalPowerAction existing =
        kubernetes
            .resources(BareMetalPowerAction.class)
            .inNamespace(schedule.getMetadata().getNamespace())
            .withName(name)
            .get();
    return existing != null && !Runs.ownedBy(existing, schedule);
  }

  void delete(BareMetalPowerAction run) {
    kubernetes.resource(run).delete();
  }
}
