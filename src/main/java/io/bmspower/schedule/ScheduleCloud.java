package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.bmspower.reconciler.CloudAccess;

/** The cloud client of a schedule's template (spec.template.cloud, or the operator's defaults). */
final class ScheduleCloud {

  private final CloudAccess access;

  ScheduleCloud(CloudAccess access) {
    this.access = access;
  }

  CloudAccess.Access resolve(BareMetalPowerSchedule schedule) {
    return access.resolve(
        schedule.getMetadata().getNamespace(),
        "schedule:" + schedule.getMetadata().getUid(),
        schedule.getSpec().getTemplate().getCloud());
  }
}
