package io.bmspower.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/demo/ must name the demo simulator's servers: regenerate them and compare. */
class DemoExamplesTest {

  @Test
  void committedDemoExamplesMatchTheSimulatorInventory(@TempDir Path dir) throws IOException {
    DemoExamples.write(dir);

    try (Stream<Path> files = Files.list(dir)) {
      for (Path generated : files.toList()) {
        Path committed = Path.of("examples/demo").resolve(generated.getFileName());
        assertThat(committed).as("run: make demo-examples").exists();
        assertThat(Files.readString(committed))
            .as(committed + " is stale: run make demo-examples")
            .isEqualTo(Files.readString(generated));
      }
    }
  }
}
