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
 * Reads the real state of many servers with as few calls as it can: the list API (1,000 a page)
 * when the whole inventory takes fewer pages than the servers asked about, else one details call
 * each. A server absent from the answer does not exist. Keys are lower-cased IDs.
 */
final class ServerDirectory {

  static final int PAGE = 1000;

  private ServerDirectory() {}

  static Map<String, ServerDetails> lookup(BmsClient client, Collection<String> ids) {
    Map<String, ServerDetails> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    Set<String> wanted = new HashSet<>();
    ids.forEach(id -> wanted.add(id.toLowerCase(Locale.ROOT)));
    ServerPage first = client.listServers(1, PAGE);
    int pages = (first.count() + PAGE - 1) / PAGE;
    if (pages <= ids.size()) {
      collect(first, wanted, found);
      for (int page = 2; page <= pages; page++) {
        collect(client.listServers(page, PAGE), wanted, found);
      }
      return found;
    }
    for (String id : ids) {
      try {
        found.put(id.toLowerCase(Locale.ROOT), client.getServer(id));
      } catch (CloudException e) {
        if (e.errorClass() != ErrorClass.SERVER_TERMINAL && e.httpStatus() != 404) {
          throw e;
        }
      }
    }
    return found;
  }

  private static void collect(
      ServerPage page, Set<String> wanted, Map<String, ServerDetails> found) {
    for (ServerDetails server : page.servers()) {
      String id = server.id() == null ? "" : server.id().toLowerCase(Locale.ROOT);
      if (wanted.contains(id)) {
        found.put(id, server);
      }
    }
  }
}
