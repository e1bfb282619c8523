package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import java.util.List;

/** The deterministic plan: servers in spec order, {@code batchSize} per batch. */
public record BatchPlan(List<String> servers, int batchSize) {

  public static BatchPlan of(BareMetalPowerActionSpec spec) {
    int size =
        spec.getBatchSize() == null ? BareMetalPowerActionSpec.MAX_BATCH_SIZE : spec.getBatchSize();
    return new BatchPlan(spec.getServers(), size);
  }

  public int batches() {
    return (servers.size() + batchSize - 1) / batchSize;
  }

  public int rangeSize(int index) {
    return Math.min(servers.size(), (index + 1) * batchSize) - index * batchSize;
  }

  public int offsetOf(int index, String serverId) {
    int from = index * batchSize;
    List<String> range = servers.subList(from, from + rangeSize(index));
    return range.indexOf(serverId);
  }

  public List<String> members(int index, String members) {
    return Members.servers(servers, batchSize, index, members);
  }
}
