package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented SDK-HMAC-SHA256 example (Huawei Cloud API signing guide). */
class AkSkSignerTest {

  private static final URI URL =
      URI.create(
          "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs"
              + "?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0");
  private static final String SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
  private static final String AK = "QTWAOYTTINDUT2QVKYUC";

  private static Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Host", "service.region.example.com");
    headers.put("X-Sdk-Date", "20191115T033655Z");
    return headers;
  }

  @Test
  void canonicalRequestHashMatchesTheDocumentedVector() {
    String canonical =
        AkSkSigner.canonicalRequest(
            "GET", URL.getRawPath(), URL.getRawQuery(), headers(), new byte[0]);

    assertThat(canonical)
        .isEqualTo(
            "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n"
                + "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n"
                + "content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n"
                + "content-type;host;x-sdk-date\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(AkSkSigner.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a");
  }

  @Test
  void signatureAndAuthorizationHeaderMatchTheDocumentedVector() {
    String authorization =
        AkSkSigner.sign(new Credentials.AkSk(AK, SK, null), "GET", URL, headers(), null);

    assertThat(authorization)
        .isEqualTo(
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date,"
                + " Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe");
  }

  @Test
  void queryParametersAreSortedAndEncoded() {
    assertThat(AkSkSigner.canonicalQuery("b=2&a=x%20y&c")).isEqualTo("a=x%20y&b=2&c=");
    assertThat(AkSkSigner.canonicalUri("/v1/p/jobs/abc")).isEqualTo("/v1/p/jobs/abc/");
  }

  @Test
  void credentialsNeverShowTheirSecrets() {
    var aksk = new Credentials.AkSk(AK, SK, "temporary-security-token");
    var password =
        new Credentials.Password("ops", "hunter2-secret", "acme", "https://iam.example.com");

    assertThat(aksk.toString())
        .doesNotContain(SK)
        .doesNotContain(AK)
        .doesNotContain("temporary-security-token")
        .contains("QTWA****");
    assertThat(password.toString()).doesNotContain("hunter2-secret").contains("ops");
  }

  @Test
  void theHostHeaderDropsTheSchemesDefaultPortAsTheJdkDoes() {
    assertThat(AkSkSigner.hostHeader(URI.create("https://bms.example:443/v1")))
        .isEqualTo("bms.example");
    assertThat(AkSkSigner.hostHeader(URI.create("http://bms.example:80/v1")))
        .isEqualTo("bms.example");
    assertThat(AkSkSigner.hostHeader(URI.create("https://bms.example:80/v1")))
        .isEqualTo("bms.example:80");
    assertThat(AkSkSigner.hostHeader(URI.create("http://bms.example:8443")))
        .isEqualTo("bms.example:8443");
  }

  @Test
  void anEndpointIsKeptWithoutItsDefaultPortOrTrailingSlash() {
    assertThat(CloudEndpoint.of("https://bms.example:443/", "p").endpoint())
        .isEqualTo(URI.create("https://bms.example"));
    assertThat(CloudEndpoint.of("HTTP://bms.example:80/x/", "p").endpoint())
        .isEqualTo(URI.create("HTTP://bms.example/x"));
    assertThat(CloudEndpoint.of("https://[::1]:8443", "p").endpoint())
        .isEqualTo(URI.create("https://[::1]:8443"));
  }
}
