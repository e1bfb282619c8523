package io.bmspower.reconciler;

import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which offsets of a batch's range a submission carries, in a few bytes of status: {@code null} for
 * the whole range, {@code o:1,5,9} for a few, {@code b:<base64 bitmap>} for many.
 */
public final class Members {

  private static final int MAX_LISTED = 32;

  private Members() {}

  public static String encode(BitSet offsets, int rangeSize) {
    if (offsets.cardinality() == rangeSize && offsets.nextSetBit(rangeSize) < 0) {
      return null;
    }
    if (offsets.cardinality() <= MAX_LISTED) {
      return "o:" + offsets.stream().mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
    return "b:" + Base64.getEncoder().withoutPadding().encodeToString(offsets.toByteArray());
  }

  public static BitSet decode(String members, int rangeSize) {
    BitSet offsets = new BitSet(rangeSize);
    if (members == null) {
      offsets.set(0, rangeSize);
    } else if (members.startsWith("o:")) {
      String list = members.substring(2);
      if (!list.isEmpty()) {
        for (String offset : list.split(",")) {
          offsets.set(Integer.parseInt(offset));
        }
      }
    } else if (members.startsWith("b:")) {
      offsets.or(BitSet.valueOf(Base64.getDecoder().decode(members.substring(2))));
    } else {
      throw new IllegalArgumentException("unreadable members '" + members + "'");
    }
    return offsets;
  }

  /** The server IDs an entry carries, in plan order. */
  public static List<String> servers(
      List<String> specServers, int batchSize, int index, String members) {
    int from = index * batchSize;
    int to = Math.min(specServers.size(), from + batchSize);
    BitSet offsets = decode(members, to - from);
    List<String> ids = new ArrayList<>(offsets.cardinality());
    offsets.stream().filter(o -> from + o < to).forEach(o -> ids.add(specServers.get(from + o)));
    return ids;
  }
}
