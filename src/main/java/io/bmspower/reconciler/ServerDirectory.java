package io.bmspower.reconciler;

import io.bmspower.cloud.BmsClient;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the real state of many servers with as few calls as it can: the list API (1,000 a page),
 * then one details call for each server the pages did not show. A server is absent only when its
 * details call says so (404 or BMS.0040): the list's {@code offset} and {@code count} are read
 * differently by the docs and the SDK (#2), so a server missing from the pages proves nothing. Keys
 * are lower-cased IDs.
 */
public final class ServerDirectory {

  static final int PAGE = 1000;

  private ServerDirectory() {}

  public static Map<String, ServerDetails> lookup(BmsClient client, Collection<String> ids) {
    Map<String, ServerDetails> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    Set<String> wanted = new HashSet<>();
    ids.forEach(id -> wanted.add(id.toLowerCase(Locale.ROOT)));
    new Pages(client, wanted, found).read();
    for (String id : wanted) {
      if (!found.containsKey(id)) {
        details(client, id, found);
      }
    }
    return found;
  }

  private static void details(BmsClient client, String id, Map<String, ServerDetails> found) {
    try {
      found.put(id, client.getServer(id));
    } catch (CloudException e) {
      if (e.errorClass() != ErrorClass.SERVER_TERMINAL && e.httpStatus() != 404) {
        throw e;
      }
    }
  }

  /**
   * Pages through the list until a short or empty page, while a page costs fewer calls than the
   * details of the servers still missing. {@code offset} starts as a page number; a page that
   * repeats servers already seen shows it is a row offset, and the next offset counts rows.
   */
  private static final class Pages {
    private final BmsClient client;
    private final Set<String> wanted;
    private final Map<String, ServerDetails> found;
    private final Set<String> seen = new HashSet<>();

    Pages(BmsClient client, Set<String> wanted, Map<String, ServerDetails> found) {
      this.client = client;
      this.wanted = wanted;
      this.found = found;
    }

    void read() {
      int offset = 1;
      boolean rowOffsets = false;
      int pagesRead = 0;
      while (true) {
        ServerPage page = client.listServers(offset, PAGE);
        pagesRead++;
        int repeated = collect(page);
        int fresh = page.servers().size() - repeated;
        int missing = wanted.size() - found.size();
        if (page.servers().size() < PAGE || fresh == 0 || missing == 0 || pagesRead > missing) {
          return;
        }
        if (rowOffsets && repeated > 0) {
          return;
        }
        rowOffsets = rowOffsets || repeated > 0;
        offset = rowOffsets ? offset + page.servers().size() : offset + 1;
      }
    }

    /** Records the page's servers; returns how many were seen on an earlier page. */
    private int collect(ServerPage page) {
      int repeated = 0;
      for (ServerDetails server : page.servers()) {
        String id = server.id() == null ? "" : server.id().toLowerCase(Locale.ROOT);
        if (!seen.add(id)) {
          repeated++;
        }
        if (wanted.contains(id)) {
          found.put(id, server);
        }
      }
      return repeated;
    }
  }
}
