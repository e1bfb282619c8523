package io.bmspower.schedule;

import io.bmspower.api.v1alpha1.BareMetalPowerActionSpec;
import io.bmspower.api.v1alpha1.ServerSelector;
import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.NamePattern;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Resolves a selector into a fixed, sorted set of lower-cased server IDs: the listed IDs plus every
 * server the list API shows that carries all the tags and matches the name pattern. The list is
 * asked to filter by the first tag only (the docs document one tag per query); the other tags and
 * the name are checked here, so no reading of the filters is relied on. Pages are read until a
 * short or empty page; whether the cloud counts {@code offset} in pages or rows is asked once (two
 * one-row probes) when there is more than one page.
 */
public final class ServerSelection {

  static final int PAGE = 1000;

  /** A bound on one walk (a million servers): never an endless loop on an odd answer. */
  static final int MAX_PAGES = 1000;

  /** The selection is larger than one run may act on. */
  public static final class TooLarge extends RuntimeException {
    TooLarge(int size) {
      super(
          "the selector matches at least "
              + size
              + " servers; a run acts on at most "
              + BareMetalPowerActionSpec.MAX_SERVERS
              + ": narrow the selector (more tags, a name pattern) or split the schedule");
    }
  }

  private ServerSelection() {}

  public static List<String> resolve(BmsClient client, ServerSelector selector) {
    Set<String> selected = new TreeSet<>();
    selector.getIds().forEach(id -> selected.add(id.toLowerCase(Locale.ROOT)));
    boolean byData = !selector.getTags().isEmpty() || selector.getNamePattern() != null;
    if (byData) {
      String tag = selector.getTags().isEmpty() ? null : selector.getTags().get(0);
      Pattern name =
          selector.getNamePattern() == null ? null : NamePattern.compile(selector.getNamePattern());
      Set<String> seen = new HashSet<>();
      ServerPage first = client.listServers(1, PAGE, tag);
      collect(first, selector, name, seen, selected);
      if (first.servers().size() < PAGE) {
        firstRow(client, tag, selector, name, seen, selected);
      } else if (rowOffsets(client, tag)) {
        walk(client, tag, 0, PAGE, selector, name, seen, selected);
      } else {
        walk(client, tag, 2, 1, selector, name, seen, selected);
      }
    }
    if (selected.size() > BareMetalPowerActionSpec.MAX_SERVERS) {
      throw new TooLarge(selected.size());
    }
    return List.copyOf(selected);
  }

  /**
   * Which way this cloud counts {@code offset}, asked once rather than guessed from repeats (a list
   * that changes while it is read repeats rows either way): with {@code limit} 1, offset 2 is the
   * second row when offset counts pages, the third when it counts rows; with {@code limit} 2,
   * offset 2 starts at the third row either way.
   */
  private static boolean rowOffsets(BmsClient client, String tag) {
    List<ServerDetails> one = client.listServers(2, 1, tag).servers();
    List<ServerDetails> two = client.listServers(2, 2, tag).servers();
    return !one.isEmpty() && !two.isEmpty() && Objects.equals(one.get(0).id(), two.get(0).id());
  }

  /** Reads from {@code offset} on, {@code step} per page, until a short or empty page. */
  private static void walk(
      BmsClient client,
      String tag,
      int offset,
      int step,
      ServerSelector selector,
      Pattern name,
      Set<String> seen,
      Set<String> selected) {
    for (int pages = 0; pages < MAX_PAGES; pages++, offset += step) {
      ServerPage page = client.listServers(offset, PAGE, tag);
      int repeated = collect(page, selector, name, seen, selected);
      // A short page ends the list; a page of nothing new is a cloud that clamps or ignores offset.
      if (page.servers().size() < PAGE || repeated == page.servers().size()) {
        return;
      }
    }
  }

  /**
   * Where the cloud counts {@code offset} in rows, offset 1 starts at the second server: offset 0,
   * limit 1 reads the first (where it counts pages, that row is page 1's first, seen again; a cloud
   * that refuses offset 0 costs nothing).
   */
  private static void firstRow(
      BmsClient client,
      String tag,
      ServerSelector selector,
      Pattern name,
      Set<String> seen,
      Set<String> selected) {
    try {
      collect(client.listServers(0, 1, tag), selector, name, seen, selected);
    } catch (CloudException e) {
      if (e.httpStatus() < 400 || e.httpStatus() >= 500 || e.httpStatus() == 429) {
        throw e;
      }
    }
  }

  /** Adds the page's matching servers; returns how many it repeated from earlier pages. */
  private static int collect(
      ServerPage page,
      ServerSelector selector,
      Pattern name,
      Set<String> seen,
      Set<String> selected) {
    int repeated = 0;
    for (ServerDetails s : page.servers()) {
      String id = s.id() == null ? "" : s.id().toLowerCase(Locale.ROOT);
      if (!seen.add(id)) {
        repeated++;
      } else if (s.hasAllTags(selector.getTags())
          && (name == null || (s.name() != null && name.matcher(s.name()).matches()))) {
        selected.add(id);
      }
    }
    if (selected.size() > BareMetalPowerActionSpec.MAX_SERVERS) {
      throw new TooLarge(selected.size());
    }
    return repeated;
  }
}
