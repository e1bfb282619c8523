package io.bmspower.nodes;

import java.util.Set;

/** The reasons a node fails with, as status and Events show them. */
public final class NodeReasons {

  public static final String NODE_NOT_FOUND = "NodeNotFound";
  public static final String UNMAPPED = "Unmapped";
  public static final String UNKNOWN_SERVER = "UnknownServer";
  public static final String DUPLICATE_SERVER = "DuplicateServer";
  public static final String DRAIN_TIMEOUT = "DrainTimeout";
  public static final String POWER_FAILED = "PowerFailed";
  public static final String NOT_READY = "NotReady";
  public static final String POWER_ACTION_LOST = "PowerActionLost";
  public static final String NAME_CONFLICT = "NameConflict";

  /** Failures after which the server was not powered: the node's cordon is lifted again. */
  public static final Set<String> RELEASED_ON_FAILURE =
      Set.of(DRAIN_TIMEOUT, POWER_FAILED, NAME_CONFLICT);

  /** Reasons found when the set is resolved, before anything was done to the node. */
  static final Set<String> UNRESOLVED =
      Set.of(NODE_NOT_FOUND, UNMAPPED, UNKNOWN_SERVER, DUPLICATE_SERVER);

  private NodeReasons() {}
}
