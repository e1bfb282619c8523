package io.bmspower.cloud;

import java.util.List;

/**
 * What the operator needs from the BMS API. Every method throws {@link CloudException} on failure;
 * {@link #submit} is never retried by the client, since a repeated POST may act twice.
 */
public interface BmsClient {

  int MAX_SERVERS_PER_CALL = 1000;

  /** Every client refuses, before any call, an action call of 0 or more than 1,000 servers. */
  static void requireCallSize(List<String> serverIds) {
    if (serverIds.isEmpty() || serverIds.size() > MAX_SERVERS_PER_CALL) {
      throw new IllegalArgumentException(
          "an action call carries 1 to "
              + MAX_SERVERS_PER_CALL
              + " servers, not "
              + serverIds.size());
    }
  }

  /** Submits the batch action for up to 1,000 servers; returns the job ID. */
  String submit(CloudAction action, List<String> serverIds);

  /**
   * As {@link #submit(CloudAction, List)}, but the POST is not started after {@code notAfter}
   * (checked right before the request goes out, after any token fetch): {@link
   * CloudException#intentExpired} instead, nothing sent.
   */
  default String submit(CloudAction action, List<String> serverIds, java.time.Instant notAfter) {
    return submit(action, serverIds);
  }

  /**
   * Takes one permit of the action budget without waiting: {@link java.time.Duration#ZERO} when it
   * was taken, otherwise how long until one frees. A caller that holds a permit sends with {@link
   * #submitReserved}, so a call is never held up by the budget after its intent was recorded.
   */
  default java.time.Duration reserveActionCall() {
    return java.time.Duration.ZERO;
  }

  /**
   * As {@link #submit(CloudAction, List, java.time.Instant)} with a permit taken through {@link
   * #reserveActionCall}: the budget is not asked again, but a pause the cloud asked for (429) still
   * holds the call back ({@link CloudException#LOCAL_BUDGET}, nothing sent, the permit still held).
   */
  default String submitReserved(
      CloudAction action, List<String> serverIds, java.time.Instant notAfter) {
    return submit(action, serverIds, notAfter);
  }

  Job getJob(String jobId);

  ServerDetails getServer(String serverId);

  /**
   * Lists servers; {@code page} is sent as the list's {@code offset} as it is: a page number from 1
   * or, under another reading of the docs, a row offset (#2). {@code limit} is at most 1,000.
   */
  ServerPage listServers(int page, int limit);

  /**
   * As {@link #listServers(int, int)}, only servers carrying {@code tag} (one tag, exactly as the
   * cloud shows it: {@code __type_baremetal} or {@code key=value}); a null or empty tag lists all.
   * The cloud filters before paging ({@code tags} query parameter) and counts the tagged servers.
   *
   * <p>This default, for fakes, lists the unfiltered page and keeps its tagged servers: a page may
   * then be short (even empty) with more pages after it, and {@code count} is the unfiltered one.
   */
  default ServerPage listServers(int page, int limit, String tag) {
    ServerPage all = listServers(page, limit);
    if (tag == null || tag.isEmpty()) {
      return all;
    }
    return new ServerPage(all.count(), all.servers().stream().filter(s -> s.hasTag(tag)).toList());
  }
}
