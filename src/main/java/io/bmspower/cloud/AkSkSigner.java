package io.bmspower.cloud;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The APIG "SDK-HMAC-SHA256" request signature: canonical request, string to sign, HMAC-SHA256 with
 * the SK as key. Used by the client to sign and by the simulator to verify.
 */
public final class AkSkSigner {

  public static final String ALGORITHM = "SDK-HMAC-SHA256";
  public static final String DATE_HEADER = "X-Sdk-Date";
  public static final DateTimeFormatter DATE_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String EMPTY_BODY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private AkSkSigner() {}

  public static String formatDate(Instant instant) {
    return DATE_FORMAT.format(instant);
  }

  /**
   * The canonical request. {@code headers} holds exactly the headers to sign (any case); {@code
   * rawPath} and {@code rawQuery} are as sent (percent-encoded).
   */
  public static String canonicalRequest(
      String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {
    Map<String, String> signed = new TreeMap<>();
    headers.forEach((k, v) -> signed.put(k.toLowerCase(Locale.ROOT), v == null ? "" : v.trim()));
    StringBuilder canonicalHeaders = new StringBuilder();
    signed.forEach((k, v) -> canonicalHeaders.append(k).append(':').append(v).append('\n'));
    return method.toUpperCase(Locale.ROOT)
        + "\n"
        + canonicalUri(rawPath)
        + "\n"
        + canonicalQuery(rawQuery)
        + "\n"
        + canonicalHeaders
        + "\n"
        + String.join(";", signed.keySet())
        + "\n"
        + payloadHash(body);
  }

  public static String stringToSign(String sdkDate, String canonicalRequest) {
    return ALGORITHM
        + "\n"
        + sdkDate
        + "\n"
        + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
  }

  public static String signature(String secretKey, String stringToSign) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public static String authorization(
      String accessKey, Iterable<String> signedHeaders, String signature) {
    List<String> names = new ArrayList<>();
    signedHeaders.forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
    names.sort(null);
    return ALGORITHM
        + " Access="
        + accessKey
        + ", SignedHeaders="
        + String.join(";", names)
        + ", Signature="
        + signature;
  }

  /** Signs a request: returns the Authorization header value for the given headers to sign. */
  public static String sign(
      Credentials.AkSk credentials,
      String method,
      URI uri,
      Map<String, String> headersToSign,
      byte[] body) {
    String date =
        headersToSign.entrySet().stream()
            .filter(e -> e.getKey().equalsIgnoreCase(DATE_HEADER))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("X-Sdk-Date must be signed"));
    String canonical =
        canonicalRequest(method, uri.getRawPath(), uri.getRawQuery(), headersToSign, body);
    String sig = signature(credentials.secretKey(), stringToSign(date, canonical));
    return authorization(credentials.accessKey(), headersToSign.keySet(), sig);
  }

  /**
   * The Host header value Java's HTTP client sends for this URI: without the port when it is the
   * scheme's default (443 for https, 80 for http).
   */
  public static String hostHeader(URI uri) {
    int port = uri.getPort();
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    boolean defaultPort = port == -1 || port == (https ? 443 : 80);
    return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
  }

  static String canonicalUri(String rawPath) {
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    String encoded =
        List.of(path.split("/", -1)).stream()
            .map(
                segment ->
                    encode(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8)))
            .collect(Collectors.joining("/"));
    return encoded.endsWith("/") ? encoded : encoded + "/";
  }

  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    TreeMap<String, List<String>> params = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(encode(name), k -> new ArrayList<>()).add(encode(value));
    }
    List<String> parts = new ArrayList<>();
    params.forEach(
        (name, values) -> values.stream().sorted().forEach(v -> parts.add(name + "=" + v)));
    return String.join("&", parts);
  }

  static String payloadHash(byte[] body) {
    return body == null || body.length == 0 ? EMPTY_BODY_SHA256 : sha256Hex(body);
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** RFC 3986: unreserved characters as they are, everything else %XY (upper-case hex). */
  static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
