package io.bmspower.readme;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadmeCommandsTest {

  @Test
  void takesShellBlocksJoinsContinuationsAndSkipsOtherBlocks() {
    String markdown =
        """
        Run `make demo` first; `kubectl get bmpa` is only mentioned.
        ```sh
        # a comment line
        kubectl apply -f x.yaml   # trailing comments stay

        helm install a chart \\
          --set a=b
        ```
        ```yaml
        kind: NotACommand
        ```
           ```sh
           make test
           ```
        ```
        $ make bench
        ```
        """;

    assertThat(ReadmeCommands.parse(markdown))
        .extracting(ReadmeCommands.Command::toString)
        .containsExactly(
            "README.md:1: make demo",
            "README.md:4: kubectl apply -f x.yaml   # trailing comments stay",
            "README.md:6: helm install a chart --set a=b",
            "README.md:13: make test");
  }
}
