package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The deterministic plan: the set of servers in canonical order (lower-cased, de-duplicated,
 * sorted), {@code batchSize} per batch. Any permutation or spelling of the same set is the same
 * plan, so a batch's members never depend on positions in the spec.
 */
public record BatchPlan(List<String> servers, int batchSize) {

  /** How new resources are planned; recorded in status.planOrder. */
  public static final String CANONICAL = "Canonical";

  public static BatchPlan of(BareMetalPowerActionSpec spec) {
    return of(spec, CANONICAL);
  }

  /**
   * The plan in the recorded order: canonical, or (null) the spec order of resources an older
   * operator version started, whose status points into that order.
   */
  public static BatchPlan of(BareMetalPowerActionSpec spec, String planOrder) {
    int size =
        spec.getBatchSize() == null ? BareMetalPowerActionSpec.MAX_BATCH_SIZE : spec.getBatchSize();
    return new BatchPlan(
        CANONICAL.equals(planOrder) ? canonical(spec.getServers()) : spec.getServers(), size);
  }

  /** Lower-cased, de-duplicated, sorted. */
  public static List<String> canonical(List<String> servers) {
    TreeSet<String> set = new TreeSet<>();
    servers.forEach(id -> set.add(id.trim().toLowerCase(Locale.ROOT)));
    return List.copyOf(set);
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
    return range.indexOf(serverId.toLowerCase(Locale.ROOT));
  }

  public List<String> members(int index, String members) {
    return Members.servers(servers, batchSize, index, members);
  }
}
