package io.bmspower.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed CRDs must be exactly what the build generates from the Java types. */
class CrdDriftTest {

  private static final String FILE = "baremetalpoweractions.bmspower.io-v1.yml";
  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8", FILE);

  @ParameterizedTest
  @ValueSource(
      strings = {
        FILE,
        "baremetalpowerpolicies.bmspower.io-v1.yml",
        "baremetalpowerschedules.bmspower.io-v1.yml"
      })
  void committedCrdMatchesTheGeneratedOne(String file) throws IOException {
    assertThat(Files.readString(Path.of("crds", file)))
        .as("crds/%s is stale: run `make crds` and commit the result", file)
        .isEqualTo(Files.readString(Path.of("target/classes/META-INF/fabric8", file)));
  }

  @Test
  void generatedCrdDeclaresServersAsASet() throws IOException {
    assertThat(Files.readString(GENERATED)).contains("x-kubernetes-list-type: set");
  }
}
