package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a resource's transitions; a failure to record one never fails a reconcile.
 */
public class EventRecorder implements Reports.EventSink {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "bms-power-operator";

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public void event(BareMetalPowerAction resource, boolean warning, String reason, String message) {
    record(resource, warning ? "Warning" : "Normal", reason, message);
  }

  /** An Event on any resource of the operator (a schedule, say). */
  public void event(
      io.fabric8.kubernetes.api.model.HasMetadata resource,
      boolean warning,
      String reason,
      String message) {
    record(resource, warning ? "Warning" : "Normal", reason, message);
  }

  private void record(
      io.fabric8.kubernetes.api.model.HasMetadata resource,
      String type,
      String reason,
      String message) {
    LOG.atInfo()
        .setMessage("event: {} {}")
        .addArgument(reason)
        .addArgument(message)
        .addKeyValue(
            "resource",
            resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName())
        .addKeyValue("type", type)
        .addKeyValue("reason", reason)
        .log();
    String now = Rfc3339.format(clock.instant());
    // A cluster-scoped object (a Node) has its Events in the default namespace, as kubectl shows.
    String namespace =
        resource.getMetadata().getNamespace() == null
            ? "default"
            : resource.getMetadata().getNamespace();
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      // An Event's name is at most 253 characters; a long object name is cut.
                      resource
                              .getMetadata()
                              .getName()
                              .substring(
                                  0, Math.min(resource.getMetadata().getName().length(), 200))
                          + "."
                          + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
                  .withNamespace(namespace)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(resource.getApiVersion())
                  .withKind(resource.getKind())
                  .withName(resource.getMetadata().getName())
                  .withNamespace(resource.getMetadata().getNamespace())
                  .withUid(resource.getMetadata().getUid())
                  .withResourceVersion(resource.getMetadata().getResourceVersion())
                  .endInvolvedObject()
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource(COMPONENT, null)
                  .withReportingComponent(COMPONENT)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on {}: {}",
          reason,
          resource.getMetadata().getName(),
          e.getMessage());
    }
  }
}
