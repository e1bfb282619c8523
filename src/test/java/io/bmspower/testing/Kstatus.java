package io.bmspower.testing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The status sigs.k8s.io/cli-utils' kstatus library (what Flux health checks wait on) computes for
 * resources, by the hack/kstatus filter that {@code make test-env} builds.
 */
public final class Kstatus {

  /** kstatus' {@code Result}: Status is InProgress, Current, Failed, Terminating or Unknown. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Result(String status, String message, String error) {}

  private Kstatus() {}

  /** One result per resource, in order; each is serialized as the API server would return it. */
  public static List<Result> compute(List<BareMetalPowerAction> resources)
      throws IOException, InterruptedException {
    Path binary =
        LocalControlPlane.builtTool("kstatus")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "No kstatus binary under "
                            + LocalControlPlane.testDir().resolve("kstatus")
                            + ". Run `make test-env` (needs Go) to compile hack/kstatus."));
    // A file, not a pipe, for stdin: writing all input before reading output cannot deadlock.
    Path input = Files.createTempFile("kstatus", ".jsonl");
    try {
      Files.writeString(
          input,
          resources.stream()
              .map(Serialization::asJson)
              .collect(Collectors.joining("\n", "", "\n")));
      Process process =
          new ProcessBuilder(binary.toString())
              .redirectInput(input.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String output = new String(process.getInputStream().readAllBytes());
      if (process.waitFor() != 0) {
        throw new IllegalStateException(binary + " failed; output: " + output);
      }
      ObjectMapper json = new ObjectMapper();
      List<Result> results = new ArrayList<>();
      for (String line : output.strip().split("\n")) {
        Result result = json.readValue(line, Result.class);
        if (result.error() != null) {
          throw new IllegalStateException("kstatus: " + result.error());
        }
        results.add(result);
      }
      return results;
    } finally {
      Files.delete(input);
    }
  }

  public static Result compute(BareMetalPowerAction resource)
      throws IOException, InterruptedException {
    return compute(List.of(resource)).get(0);
  }
}
