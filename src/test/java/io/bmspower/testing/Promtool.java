package io.bmspower.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Prometheus' promtool, as {@code make test-env} builds it (hack/test-env/promtool). */
public final class Promtool {

  /** The exit code and the output (stdout and stderr together) of one run. */
  public record Result(int exit, String output) {}

  private Promtool() {}

  /** Runs {@code promtool args...} in {@code dir}. */
  public static Result run(Path dir, String... args) throws IOException, InterruptedException {
    Path binary =
        LocalControlPlane.builtTool("promtool")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "No promtool binary under "
                            + LocalControlPlane.testDir().resolve("promtool")
                            + ". Run `make test-env` (needs Go) to compile it."));
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("promtool " + String.join(" ", args) + " timed out");
    }
    return new Result(process.exitValue(), output);
  }
}
