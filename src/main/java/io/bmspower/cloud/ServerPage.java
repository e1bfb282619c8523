package io.bmspower.cloud;

import java.util.List;

/** One page of {@code GET /v1/{project_id}/baremetalservers/detail}. */
public record ServerPage(int count, List<ServerDetails> servers) {

  public ServerPage {
    servers = servers == null ? List.of() : List.copyOf(servers);
  }
}
