package io.bmspower.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.Credentials;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialsResolverTest {

  private static final CloudEndpoint OTC =
      CloudEndpoint.of("https://bms.eu-de.otc.t-systems.com", "p1");

  private static Secret secret(Map<String, String> data) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("s")
        .endMetadata()
        .withStringData(data)
        .build();
  }

  @Test
  void readsAkSkAndPasswordSecrets() {
    var aksk =
        CredentialsResolver.resolve(
            secret(Map.of("accessKey", "AK", "secretKey", "SK")), "ns", "s", OTC);
    var password =
        CredentialsResolver.resolve(
            secret(Map.of("username", "ops", "password", "pw", "domainName", "acme")),
            "ns",
            "s",
            OTC);

    assertThat(aksk.credentials()).isEqualTo(new Credentials.AkSk("AK", "SK", null));
    assertThat(password.credentials())
        .isInstanceOfSatisfying(
            Credentials.Password.class,
            p -> assertThat(p.iamEndpoint()).isEqualTo("https://iam.eu-de.otc.t-systems.com"));
    assertThat(password.message()).doesNotContain("pw");
  }

  @Test
  void explainsWhatIsWrong() {
    assertThat(CredentialsResolver.resolve(null, "ns", "s", OTC).reason())
        .isEqualTo("SecretNotFound");
    var incomplete = CredentialsResolver.resolve(secret(Map.of("username", "ops")), "ns", "s", OTC);
    assertThat(incomplete.reason()).isEqualTo("SecretIncomplete");
    assertThat(incomplete.message()).contains("password, domainName");
    assertThat(
            CredentialsResolver.resolve(
                    secret(Map.of("accessKey", "AK", "password", "x")), "ns", "s", OTC)
                .reason())
        .isEqualTo("SecretAmbiguous");
    assertThat(CredentialsResolver.resolve(secret(Map.of("other", "x")), "ns", "s", OTC).reason())
        .isEqualTo("SecretIncomplete");
  }
}
