package io.bmspower.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeLedgerTest {

  @Test
  void everyFieldARestartNeedsSurvivesTheConfigMap() {
    NodeLedger l = new NodeLedger();
    l.action = "Reboot";
    l.resolvedAt = "2026-11-28T10:00:00Z";
    NodeRecord r = new NodeRecord("node-1", "0b7c1e9a-3f2d-4c5e-8a6b-9d0e1f2a3b4c");
    r.step = NodeStep.WaitingReady;
    r.cordoned = true;
    r.childUid = "uid-1";
    r.drainStarted = "2026-11-28T10:00:01Z";
    r.poweredAt = "2026-11-28T10:00:09Z";
    r.job = "job-1";
    l.nodes.add(r);
    l.nodes.add(NodeRecord.failedRecord("node-2", null, NodeReasons.UNMAPPED, "no providerID"));

    NodeLedger back = NodeLedger.parse(l.json());

    assertThat(back.json()).isEqualTo(l.json());
    NodeRecord b = back.node("node-1").orElseThrow();
    assertThat(b.holdsCordon()).isTrue();
    assertThat(b.step).isEqualTo(NodeStep.WaitingReady);
    assertThat(b.childUid).isEqualTo("uid-1");
    assertThat(back.node("node-2").orElseThrow().unresolved()).isTrue();
    assertThat(l.json()).contains("\"cordoned\":true").doesNotContain("null");
  }

  @Test
  void anUnreadableStateSaysSo() {
    assertThatThrownBy(() -> NodeLedger.parse("{nodes"))
        .hasMessageStartingWith("the node state is not readable");
  }

  @Test
  void theLargestLedgerFitsAConfigMap() {
    NodeLedger done = new NodeLedger();
    NodeLedger failed = new NodeLedger();
    for (int i = 0; i < io.bmspower.api.v1alpha1.NodeTarget.MAX_NODES; i++) {
      String name =
          String.format("%-58s-%04d", "worker-pool-with-a-long-name", i).replace(' ', 'x');
      NodeRecord d = new NodeRecord(name, java.util.UUID.randomUUID().toString());
      d.step = NodeStep.Done;
      d.since = "2026-11-28T10:00:00Z";
      d.job = "ae78416a8b3b0a3c7400e7b36deadd3c";
      d.cordoned = true;
      done.nodes.add(d);
      failed.nodes.add(
          NodeRecord.failedRecord(name, d.server, NodeReasons.DRAIN_TIMEOUT, "x".repeat(900)));
    }
    assertThat(done.json().length()).isLessThan(NodeLedger.MAX_BYTES);
    String cut = failed.json();
    assertThat(cut.length()).isLessThan(NodeLedger.MAX_BYTES);
    assertThat(NodeLedger.parse(cut).nodes.get(0).message).hasSize(NodeLedger.SHORT_MESSAGE);
  }
}
