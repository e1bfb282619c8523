package io.bmspower.readme;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadmeCommandsTest {

  @Test
  void everyMakeOfACommandLineIsDryRunAlsoAfterAndOrAndSemicolon() {
    assertThat(new ReadmeCommands.Command(1, "make image && make e2e").dryRun())
        .isEqualTo("make -n image && make -n e2e");
    assertThat(new ReadmeCommands.Command(1, "make test || make demo; make").dryRun())
        .isEqualTo("make -n test || make -n demo; make -n");
    assertThat(new ReadmeCommands.Command(1, "kubectl get bmpa && make demo").dryRun())
        .isEqualTo("kubectl get bmpa && make -n demo");
    assertThat(new ReadmeCommands.Command(1, "kubectl apply -f makefile.yaml").dryRun())
        .isEqualTo("kubectl apply -f makefile.yaml");
  }

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
