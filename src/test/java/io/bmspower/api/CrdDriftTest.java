package io.bmspower.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed CRDs must be exactly what the build generates from the Java types. */
class CrdDriftTest {

  private static final String FILE = "baremetalpoweractions.bmspower.io-v1.yml";
  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8", FILE);

  @Test
  void committedCrdMatchesTheGeneratedOne() throws IOException {
    assertThat(Files.readString(Path.of("crds", FILE)))
        .as("crds/%s is stale: run `make crds` and commit the result", FILE)
        .isEqualTo(Files.readString(GENERATED));
  }

  @Test
  void generatedCrdDeclaresServersAsASet() throws IOException {
    assertThat(Files.readString(GENERATED)).contains("x-kubernetes-list-type: set");
  }
}
