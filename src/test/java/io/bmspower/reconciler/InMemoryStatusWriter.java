package io.bmspower.reconciler;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The API server's view of resources, in memory, with optimistic locking: a write carrying an old
 * resourceVersion conflicts. Tests change a resource as another client would ({@link #touch}) or
 * make the next writes conflict ({@link #conflictNext}).
 */
final class InMemoryStatusWriter implements StatusWriter {

  private final Map<String, BareMetalPowerAction> stored = new ConcurrentHashMap<>();
  private int version = 1;
  private int conflicts;
  private int writes;

  synchronized BareMetalPowerAction put(BareMetalPowerAction resource) {
    resource.getMetadata().setResourceVersion(String.valueOf(++version));
    stored.put(resource.getMetadata().getName(), Serialization.clone(resource));
    return get(resource.getMetadata().getName());
  }

  synchronized BareMetalPowerAction get(String name) {
    BareMetalPowerAction r = stored.get(name);
    return r == null ? null : Serialization.clone(r);
  }

  synchronized List<BareMetalPowerAction> all() {
    List<BareMetalPowerAction> all = new ArrayList<>();
    stored.values().forEach(r -> all.add(Serialization.clone(r)));
    return all;
  }

  /** Another client changes the resource (e.g. the spec or an annotation). */
  synchronized void touch(String name, UnaryOperator<BareMetalPowerAction> change) {
    BareMetalPowerAction r = change.apply(get(name));
    put(r);
  }

  /** The next {@code n} status writes conflict, as if someone wrote just before. */
  synchronized void conflictNext(int n) {
    conflicts = n;
  }

  synchronized int writes() {
    return writes;
  }

  @Override
  public synchronized String write(BareMetalPowerAction resource) {
    String name = resource.getMetadata().getName();
    BareMetalPowerAction current = stored.get(name);
    if (conflicts > 0) {
      conflicts--;
      put(current);
      throw new Conflict(null);
    }
    if (!current
        .getMetadata()
        .getResourceVersion()
        .equals(resource.getMetadata().getResourceVersion())) {
      throw new Conflict(null);
    }
    BareMetalPowerAction updated = Serialization.clone(current);
    updated.setStatus(Serialization.clone(resource.getStatus()));
    writes++;
    return put(updated).getMetadata().getResourceVersion();
  }

  @Override
  public BareMetalPowerAction reread(BareMetalPowerAction resource) {
    return get(resource.getMetadata().getName());
  }
}
