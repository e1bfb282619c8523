package io.bmspower.simulator;

import io.bmspower.cloud.AkSkSigner;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an AK/SK signature as the gateway does: against the headers as they arrived (the {@code
 * Host} too), within 15 minutes of its clock, and locking an AK for a while after more than {@code
 * --ak-lock-after} consecutive failures. Its refusals are the documented {@code error_msg} texts of
 * APIG.0301 (apig-common-iam-auth-errors.rst; huaweicloud-sdk-java-v3 issue #44).
 */
final class AkSkVerifier {

  static final String PREFIX = "Incorrect IAM authentication information: ";
  static final String LOCKED = PREFIX + "AK access failed to reach the limit,forbidden.";
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final Pattern AUTHORIZATION =
      Pattern.compile(
          "^SDK-HMAC-SHA256\\s+Access=([^,\\s]+),\\s*SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-fA-F]+)$");

  private final SimulatorOptions options;
  private final Clock clock;
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  /** Consecutive failures of one AK, and until when it is locked. */
  private static final class Failures {
    int consecutive;
    Instant lockedUntil = Instant.MIN;
  }

  AkSkVerifier(SimulatorOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  /** Null when the request is signed by the simulator's AK/SK; otherwise the refusal's text. */
  String verify(
      String method, URI uri, UnaryOperator<String> header, byte[] body, String authorization) {
    Matcher a = AUTHORIZATION.matcher(authorization.trim());
    if (!a.matches()) {
      return PREFIX + "unsupported Authorization header";
    }
    String ak = a.group(1);
    if (!ak.equals(options.accessKey)) {
      return PREFIX + "Get secretKey failed,ak:" + mask(ak) + ",err:ak not exist";
    }
    Instant now = clock.instant();
    Failures f = failures.computeIfAbsent(ak, k -> new Failures());
    synchronized (f) {
      if (now.isBefore(f.lockedUntil)) {
        return LOCKED;
      }
      String problem = problem(method, uri, header, body, a.group(2), a.group(3), now);
      if (problem == null) {
        f.consecutive = 0;
      } else if (++f.consecutive > options.akLockAfter && options.akLockAfter > 0) {
        f.consecutive = 0;
        f.lockedUntil = now.plus(options.akLockDuration);
      }
      return problem;
    }
  }

  private String problem(
      String method,
      URI uri,
      UnaryOperator<String> header,
      byte[] body,
      String signedHeaders,
      String signature,
      Instant now) {
    List<String> signedNames = List.of(signedHeaders.toLowerCase().split(";"));
    if (!signedNames.contains("host") || !signedNames.contains("x-sdk-date")) {
      return PREFIX + "host and x-sdk-date must be signed";
    }
    String date = header.apply(AkSkSigner.DATE_HEADER);
    Instant signedAt;
    try {
      signedAt = AkSkSigner.DATE_FORMAT.parse(date == null ? "" : date, Instant::from);
    } catch (DateTimeParseException e) {
      return PREFIX + "X-Sdk-Date is missing or malformed";
    }
    if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
      return PREFIX
          + "calc aksk signature fail:signature expired, signature time:"
          + date
          + ",server time:"
          + AkSkSigner.formatDate(now);
    }
    Map<String, String> headers = new TreeMap<>();
    for (String name : signedNames) {
      String value = header.apply(name);
      headers.put(name, value == null ? "" : value);
    }
    String canonical =
        AkSkSigner.canonicalRequest(method, uri.getRawPath(), uri.getRawQuery(), headers, body);
    String expected =
        AkSkSigner.signature(options.secretKey, AkSkSigner.stringToSign(date, canonical));
    if (!expected.equalsIgnoreCase(signature)) {
      return PREFIX
          + "verify aksk signature fail, canonicalRequest:"
          + canonical.replace('\n', '|');
    }
    return null;
  }

  private static String mask(String ak) {
    return ak.length() <= 4 ? "****" : ak.substring(0, 4) + "****";
  }
}
