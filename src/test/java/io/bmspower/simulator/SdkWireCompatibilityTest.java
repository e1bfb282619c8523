package io.bmspower.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.huaweicloud.sdk.bms.v1.BmsClient;
import com.huaweicloud.sdk.bms.v1.model.BatchRebootBaremetalServersRequest;
import com.huaweicloud.sdk.bms.v1.model.BatchStartBaremetalServersRequest;
import com.huaweicloud.sdk.bms.v1.model.BatchStopBaremetalServersRequest;
import com.huaweicloud.sdk.bms.v1.model.ListBareMetalServerDetailsRequest;
import com.huaweicloud.sdk.bms.v1.model.ListBareMetalServersRequest;
import com.huaweicloud.sdk.bms.v1.model.ListBareMetalServersResponse;
import com.huaweicloud.sdk.bms.v1.model.OsStartBody;
import com.huaweicloud.sdk.bms.v1.model.OsStopBody;
import com.huaweicloud.sdk.bms.v1.model.OsStopBodyType;
import com.huaweicloud.sdk.bms.v1.model.RebootBody;
import com.huaweicloud.sdk.bms.v1.model.ServerDetails;
import com.huaweicloud.sdk.bms.v1.model.ServersInfoType;
import com.huaweicloud.sdk.bms.v1.model.ServersList;
import com.huaweicloud.sdk.bms.v1.model.ShowJobInfosRequest;
import com.huaweicloud.sdk.bms.v1.model.ShowJobInfosResponse;
import com.huaweicloud.sdk.bms.v1.model.StartServersInfo;
import com.huaweicloud.sdk.bms.v1.model.SubJobs;
import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.exception.ServerResponseException;
import io.bmspower.testing.SimulatorFixture;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Huawei Cloud Java SDK (huaweicloud-sdk-bms 3.1.130) as a client of the simulator: if
 * the SDK can sign, send and parse against it, the simulator speaks the cloud's wire format.
 */
class SdkWireCompatibilityTest {

  private static SimulatorFixture sim;

  @BeforeAll
  static void startSimulator() {
    sim = SimulatorFixture.start(o -> o.jobDuration = Duration.ofMillis(300));
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private static BmsClient sdk(String secretKey) {
    return sdk(sim, secretKey);
  }

  private static BmsClient sdk(SimulatorFixture sim, String secretKey) {
    return BmsClient.newBuilder()
        .withCredential(
            new BasicCredentials()
                .withAk(sim.options.accessKey)
                .withSk(secretKey)
                .withProjectId(sim.options.projectId))
        .withEndpoint(sim.simulator.baseUrl())
        .build();
  }

  private static List<ServersList> servers(List<String> ids) {
    return ids.stream().map(id -> new ServersList().withId(UUID.fromString(id))).toList();
  }

  @Test
  void theSdkStopsStartsAndRebootsServersAndReadsJobsAndDetails() {
    BmsClient client = sdk(sim.options.secretKey);
    List<String> ids = sim.simulator.inventory().subList(0, 3);

    String stopJob =
        client
            .batchStopBaremetalServers(
                new BatchStopBaremetalServersRequest()
                    .withBody(
                        new OsStopBody()
                            .withOsStop(
                                new OsStopBodyType()
                                    .withType(OsStopBodyType.TypeEnum.HARD)
                                    .withServers(servers(ids)))))
            .getJobId();
    ShowJobInfosResponse stopped = awaitSuccess(client, stopJob);

    assertThat(stopped.getJobType()).isEqualTo("baremetalBatchOperate");
    assertThat(stopped.getEntities().getSubJobsTotal()).isEqualTo(3);
    assertThat(stopped.getEntities().getSubJobs())
        .extracting(s -> s.getEntities().getServerId())
        .containsExactlyElementsOf(ids);
    assertThat(stopped.getEntities().getSubJobs())
        .extracting(SubJobs::getStatus)
        .containsOnly(SubJobs.StatusEnum.SUCCESS);
    ServerDetails off =
        client
            .listBareMetalServerDetails(
                new ListBareMetalServerDetailsRequest().withServerId(ids.get(0)))
            .getServer();
    assertThat(off.getId()).isEqualTo(UUID.fromString(ids.get(0)));
    assertThat(off.getStatus()).isEqualTo(ServerDetails.StatusEnum.SHUTOFF);
    assertThat(off.getOsEXTSTSPowerState()).isEqualTo(4);

    String startJob =
        client
            .batchStartBaremetalServers(
                new BatchStartBaremetalServersRequest()
                    .withBody(
                        new OsStartBody()
                            .withOsStart(new StartServersInfo().withServers(servers(ids)))))
            .getJobId();
    awaitSuccess(client, startJob);
    String rebootJob =
        client
            .batchRebootBaremetalServers(
                new BatchRebootBaremetalServersRequest()
                    .withBody(
                        new RebootBody()
                            .withReboot(
                                new ServersInfoType()
                                    .withType(ServersInfoType.TypeEnum.HARD)
                                    .withServers(servers(ids)))))
            .getJobId();
    awaitSuccess(client, rebootJob);

    ServerDetails on =
        client
            .listBareMetalServerDetails(
                new ListBareMetalServerDetailsRequest().withServerId(ids.get(1)))
            .getServer();
    assertThat(on.getStatus()).isEqualTo(ServerDetails.StatusEnum.ACTIVE);
    assertThat(on.getOsEXTSTSPowerState()).isEqualTo(1);
  }

  @Test
  void theSdkListsServersByTagNameStatusAndFlavorAndReadsTheirTagsAndFlavor() {
    try (var tagged = SimulatorFixture.start(o -> o.set("tags", "team=a:0.2"))) {
      BmsClient client = sdk(tagged, tagged.options.secretKey);
      List<String> team = tagged.simulator.serversTagged("team=a");

      ListBareMetalServersResponse byTag =
          client.listBareMetalServers(
              new ListBareMetalServersRequest()
                  .withTags("team=a")
                  .withStatus("ACTIVE")
                  .withFlavor("physical.s4.medium")
                  .withLimit(1000)
                  .withOffset(1));
      ListBareMetalServersResponse byName =
          client.listBareMetalServers(new ListBareMetalServersRequest().withName("bms-3"));

      assertThat(byTag.getCount()).isEqualTo(10);
      assertThat(byTag.getServers())
          .extracting(s -> s.getId().toString())
          .containsExactlyElementsOf(team);
      ServerDetails first = byTag.getServers().get(0);
      assertThat(first.getTags()).containsExactly("__type_baremetal", "team=a");
      assertThat(first.getFlavor().getId()).isEqualTo("physical.s4.medium");
      assertThat(first.getName()).isEqualTo(tagged.simulator.serverName(team.get(0)));
      assertThat(byName.getServers())
          .extracting(s -> s.getId().toString())
          .containsExactly(tagged.simulator.inventory().get(2));
    }
  }

  @Test
  void aWrongSecretKeyIsRefusedWithTheDocumentedGatewayError() {
    BmsClient client = sdk("not-the-secret-key");

    assertThatThrownBy(
            () ->
                client.showJobInfos(
                    new ShowJobInfosRequest().withJobId("0123456789abcdef0123456789abcdef")))
        .isInstanceOfSatisfying(
            ClientRequestException.class,
            e -> {
              assertThat(e.getHttpStatusCode()).isEqualTo(401);
              assertThat(e.getErrorCode()).isEqualTo("APIG.0301");
              assertThat(e.getErrorMsg()).contains("verify aksk signature fail");
              assertThat(e.getRequestId()).isNotBlank();
            });
  }

  @Test
  void anUnknownServerIsRefusedWithBms0040() {
    BmsClient client = sdk(sim.options.secretKey);

    assertThatThrownBy(
            () ->
                client.batchStopBaremetalServers(
                    new BatchStopBaremetalServersRequest()
                        .withBody(
                            new OsStopBody()
                                .withOsStop(
                                    new OsStopBodyType()
                                        .withServers(
                                            servers(List.of(UUID.randomUUID().toString())))))))
        .isInstanceOfSatisfying(
            ClientRequestException.class,
            e -> {
              assertThat(e.getHttpStatusCode()).isEqualTo(400);
              assertThat(e.getErrorCode()).isEqualTo("BMS.0040");
            });
  }

  // ---- the answers of the open behaviours' readings ------------------------------------------

  @Test
  void theSdkReadsAWholeCallStateErrorAsA400WithItsCode() {
    try (var other =
        SimulatorFixture.start(
            o -> {
              o.stopped = 1;
              o.stateErrors = SimulatorOptions.StateErrors.whole_call;
            })) {
      List<String> ids = other.simulator.inventory();

      assertThatThrownBy(() -> stop(sdk(other, other.options.secretKey), ids.subList(49, 50)))
          .isInstanceOfSatisfying(
              ClientRequestException.class,
              e -> {
                assertThat(e.getHttpStatusCode()).isEqualTo(400);
                assertThat(e.getErrorCode()).isEqualTo("BMS.0039");
                assertThat(e.getErrorMsg()).isEqualTo("Server is stopped, not allow to stop.");
              });
    }
  }

  @Test
  void theSdkReadsTheGatewaysAndTheBackendsServerErrorsOfTheActionPost() {
    try (var other =
        SimulatorFixture.start(
            o -> {
              o.post5xx = SimulatorOptions.PostServerErrors.after_accept;
              o.post5xxRate = 1;
            })) {
      BmsClient client = sdk(other, other.options.secretKey);
      Set<String> seen = new TreeSet<>();

      for (String id : other.simulator.inventory().subList(0, 20)) {
        ServerResponseException e =
            catchThrowableOfType(ServerResponseException.class, () -> stop(client, List.of(id)));
        assertThat(e.getRequestId()).isNotBlank();
        seen.add(e.getHttpStatusCode() + " " + e.getErrorCode() + " " + e.getErrorMsg());
      }

      assertThat(seen)
          .containsExactly(
              "500 BMS.9999 Internal server error (injected).",
              "502 APIG.0202 Backend unavailable",
              "504 APIG.0203 Backend timeout");
      assertThat(other.stats().path("actionCalls").asInt()).isEqualTo(20);
    }
  }

  @Test
  void theSdkReadsNovasNestedErrorBodies() {
    try (var other = SimulatorFixture.start(o -> o.nestedErrors = true)) {
      String ghost = UUID.randomUUID().toString();

      assertThatThrownBy(
              () ->
                  sdk(other, other.options.secretKey)
                      .listBareMetalServerDetails(
                          new ListBareMetalServerDetailsRequest().withServerId(ghost)))
          .isInstanceOfSatisfying(
              ClientRequestException.class,
              e -> {
                assertThat(e.getHttpStatusCode()).isEqualTo(404);
                assertThat(e.getErrorCode()).isEqualTo("404");
                assertThat(e.getErrorMsg()).isEqualTo("Instance " + ghost + " could not be found.");
              });
    }
  }

  @Test
  void theSdkReadsAnExpiredSignatureAndAnAkLockAsApigw0301() {
    try (var other =
        SimulatorFixture.start(
            o -> {
              o.clockOffset = Duration.ofMinutes(20);
              o.gatewayPrefix = "APIGW";
            })) {
      assertThatThrownBy(
              () ->
                  sdk(other, other.options.secretKey)
                      .showJobInfos(new ShowJobInfosRequest().withJobId("no-such-job")))
          .isInstanceOfSatisfying(
              ClientRequestException.class,
              e -> {
                assertThat(e.getHttpStatusCode()).isEqualTo(401);
                assertThat(e.getErrorCode()).isEqualTo("APIGW.0301");
                assertThat(e.getErrorMsg())
                    .startsWith(
                        "Incorrect IAM authentication information: calc aksk signature fail:"
                            + "signature expired, signature time:");
              });
    }
    try (var other = SimulatorFixture.start(o -> o.akLockAfter = 1)) {
      BmsClient wrong = sdk(other, "not-the-secret-key");
      ShowJobInfosRequest request = new ShowJobInfosRequest().withJobId("no-such-job");
      catchThrowableOfType(ClientRequestException.class, () -> wrong.showJobInfos(request));
      catchThrowableOfType(ClientRequestException.class, () -> wrong.showJobInfos(request));

      assertThatThrownBy(() -> sdk(other, other.options.secretKey).showJobInfos(request))
          .isInstanceOfSatisfying(
              ClientRequestException.class,
              e -> {
                assertThat(e.getErrorCode()).isEqualTo("APIG.0301");
                assertThat(e.getErrorMsg()).contains("AK access failed to reach the limit");
              });
    }
  }

  @Test
  void theSdkReadsFinishedJobsWithoutSubJobs() {
    for (var reading :
        List.of(
            SimulatorOptions.FinishedJobSubJobs.empty,
            SimulatorOptions.FinishedJobSubJobs.missing)) {
      try (var other =
          SimulatorFixture.start(
              o -> {
                o.stopped = 1;
                o.finishedJobSubJobs = reading;
              })) {
        BmsClient client = sdk(other, other.options.secretKey);
        List<String> ids = other.simulator.inventory();

        ShowJobInfosResponse succeeded = awaitFinished(client, stop(client, ids.subList(0, 1)));
        ShowJobInfosResponse failed = awaitFinished(client, stop(client, ids.subList(49, 50)));

        assertThat(succeeded.getStatus()).isEqualTo(ShowJobInfosResponse.StatusEnum.SUCCESS);
        assertThat(failed.getStatus()).isEqualTo(ShowJobInfosResponse.StatusEnum.FAIL);
        assertThat(failed.getErrorCode()).isEqualTo("BMS.0039");
        assertThat(failed.getFailReason()).isEqualTo("Server is stopped, not allow to stop.");
        for (ShowJobInfosResponse job : List.of(succeeded, failed)) {
          assertThat(job.getEntities()).isNotNull();
          if (reading == SimulatorOptions.FinishedJobSubJobs.empty) {
            assertThat(job.getEntities().getSubJobs()).isEmpty();
            assertThat(job.getEntities().getSubJobsTotal()).isZero();
          } else {
            assertThat(job.getEntities().getSubJobs()).isNull();
            assertThat(job.getEntities().getSubJobsTotal()).isNull();
          }
        }
      }
    }
  }

  @Test
  void theSdkReadsAnInitJobWithEmptySubJobs() {
    try (var other = SimulatorFixture.start(o -> o.jobStartDelay = Duration.ofMinutes(1))) {
      BmsClient client = sdk(other, other.options.secretKey);

      ShowJobInfosResponse init =
          client.showJobInfos(
              new ShowJobInfosRequest()
                  .withJobId(stop(client, other.simulator.inventory().subList(0, 2))));

      assertThat(init.getStatus()).isEqualTo(ShowJobInfosResponse.StatusEnum.INIT);
      assertThat(init.getEntities().getSubJobs()).isEmpty();
      assertThat(init.getEntities().getSubJobsTotal()).isZero();
      assertThat(init.getEndTime()).isNull();
    }
  }

  private static String stop(BmsClient client, List<String> ids) {
    return client
        .batchStopBaremetalServers(
            new BatchStopBaremetalServersRequest()
                .withBody(
                    new OsStopBody()
                        .withOsStop(
                            new OsStopBodyType()
                                .withType(OsStopBodyType.TypeEnum.HARD)
                                .withServers(servers(ids)))))
        .getJobId();
  }

  private static ShowJobInfosResponse awaitFinished(BmsClient client, String jobId) {
    AtomicReference<ShowJobInfosResponse> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              last.set(client.showJobInfos(new ShowJobInfosRequest().withJobId(jobId)));
              return last.get().getStatus() == ShowJobInfosResponse.StatusEnum.SUCCESS
                  || last.get().getStatus() == ShowJobInfosResponse.StatusEnum.FAIL;
            });
    return last.get();
  }

  private static ShowJobInfosResponse awaitSuccess(BmsClient client, String jobId) {
    AtomicReference<ShowJobInfosResponse> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              last.set(client.showJobInfos(new ShowJobInfosRequest().withJobId(jobId)));
              return last.get().getStatus() == ShowJobInfosResponse.StatusEnum.SUCCESS;
            });
    return last.get();
  }
}
