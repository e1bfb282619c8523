package io.bmspower.testing;

import io.bmspower.api.v1alpha1.BareMetalPowerAction;
import io.bmspower.api.v1alpha1.BareMetalPowerPolicy;
import io.bmspower.api.v1alpha1.BareMetalPowerSchedule;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver and etcd (fabric8 kube-api-test). {@link #get()} is the one shared per test
 * JVM, started on first use with the CRD installed; {@link #startEmpty()} is a separate one without
 * it, for a test that installs and deletes the CRD itself. Offline by default: the binaries come
 * from {@code make test-env}.
 */
public final class LocalControlPlane implements AutoCloseable {

  /** Set to true where Go is missing but the internet is not: kube-api-test downloads binaries. */
  public static final String ALLOW_DOWNLOAD_ENV = "BMS_KUBE_API_TEST_DOWNLOAD";

  public static final Path GENERATED_CRD =
      Path.of("target/classes/META-INF/fabric8/baremetalpoweractions.bmspower.io-v1.yml");

  public static final Path GENERATED_POLICY_CRD =
      Path.of("target/classes/META-INF/fabric8/baremetalpowerpolicies.bmspower.io-v1.yml");

  public static final Path GENERATED_SCHEDULE_CRD =
      Path.of("target/classes/META-INF/fabric8/baremetalpowerschedules.bmspower.io-v1.yml");

  private static LocalControlPlane instance;

  private final KubeAPIServer apiServer;
  private final String kubeConfigYaml;
  private final Thread stopAtExit;

  private LocalControlPlane(boolean withCrd) {
    boolean download = Boolean.parseBoolean(System.getenv(ALLOW_DOWNLOAD_ENV));
    if (!download) {
      requireBinaries(testDir());
    }
    apiServer =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(testDir().toString())
                .withOfflineMode(!download)
                .withStartupTimeout(120_000)
                .build());
    apiServer.start();
    stopAtExit = new Thread(apiServer::stop, "kube-apiserver-stop");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
    kubeConfigYaml = apiServer.getKubeConfigYaml();
    if (withCrd) {
      try (KubernetesClient client = newClient()) {
        installCrd(client);
      }
    }
  }

  public static synchronized LocalControlPlane get() {
    if (instance == null) {
      instance = new LocalControlPlane(true);
    }
    return instance;
  }

  /** A new control plane of its own, with nothing installed; close it when done. */
  public static LocalControlPlane startEmpty() {
    return new LocalControlPlane(false);
  }

  /**
   * Where {@code make test-env} puts the binaries ({@code KUBE_API_TEST_DIR} or ~/.kubeapitest).
   */
  public static Path testDir() {
    String dir =
        System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_DIR) != null
            ? System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_DIR)
            : System.getProperty(
                "kubeapitest.dir",
                new File(System.getProperty("user.home"), KubeAPIServerConfigBuilder.DIRECTORY_NAME)
                    .getPath());
    return Path.of(dir);
  }

  @Override
  public void close() {
    if (this != instance) {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
      apiServer.stop();
    }
  }

  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfigYaml)).build();
  }

  public String kubeConfigYaml() {
    return kubeConfigYaml;
  }

  /**
   * Installs the generated CRDs (actions, policies, schedules) and waits until they are
   * established.
   */
  public static void installCrd(KubernetesClient client) {
    install(client, GENERATED_CRD, BareMetalPowerAction.CRD_NAME);
    install(client, GENERATED_POLICY_CRD, BareMetalPowerPolicy.CRD_NAME);
    install(client, GENERATED_SCHEDULE_CRD, BareMetalPowerSchedule.CRD_NAME);
  }

  /** Only the BareMetalPowerAction CRD, as a cluster upgraded by helm (which adds no CRD) has. */
  public static void installActionCrdOnly(KubernetesClient client) {
    install(client, GENERATED_CRD, BareMetalPowerAction.CRD_NAME);
  }

  private static void install(KubernetesClient client, Path file, String name) {
    try (InputStream in = new FileInputStream(file.toFile())) {
      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.resource(crd).serverSideApply();
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(name)
          .waitUntilCondition(LocalControlPlane::established, 60, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + "; run mvn process-classes", e);
    }
  }

  public static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  private static void requireBinaries(Path testDir) {
    if (builtDir(testDir.resolve("k8s"), "kube-apiserver", "etcd", "kubectl").isEmpty()) {
      throw new IllegalStateException(
          "No kube-apiserver, etcd and kubectl binaries under "
              + testDir.resolve("k8s")
              + ". Run `make test-env` to compile them from the Go module proxy (once per machine),"
              + " or set "
              + ALLOW_DOWNLOAD_ENV
              + "=true to let kube-api-test download them.");
    }
  }

  /** kubectl, helm or kstatus as {@code make test-env} built them, if it did. */
  public static Optional<Path> builtTool(String binary) {
    Path versions = testDir().resolve(binary.equals("kubectl") ? "k8s" : binary);
    return builtDir(versions, binary).map(dir -> dir.resolve(binary).toAbsolutePath());
  }

  /** The newest version directory under {@code versions} that holds all these binaries. */
  private static Optional<Path> builtDir(Path versions, String... binaries) {
    if (!Files.isDirectory(versions)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(versions)) {
      return dirs.filter(d -> Stream.of(binaries).allMatch(b -> Files.isExecutable(d.resolve(b))))
          .max(Comparator.naturalOrder());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
