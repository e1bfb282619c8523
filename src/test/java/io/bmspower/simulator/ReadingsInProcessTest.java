package io.bmspower.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudException;
import io.bmspower.cloud.ErrorClass;
import io.bmspower.cloud.Job;
import io.bmspower.cloud.JobStatus;
import io.bmspower.cloud.ServerDetails;
import io.bmspower.cloud.ServerPage;
import io.bmspower.cloud.SubJob;
import io.bmspower.simulator.SimulatorOptions.FinishedJobSubJobs;
import io.bmspower.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Each switch of {@link OpenBehaviour} plays its readings, seen through the in-process client. */
class ReadingsInProcessTest {

  private static final String GHOST = "0f0e0d0c-0b0a-4908-8706-050403020100";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

  @Test
  void stateErrorsFailTheirSubJobOrTheWholeCall() {
    var subjob = client(o -> o.stopped = 1);
    var wholeCall =
        client(
            o -> {
              o.stopped = 1;
              o.stateErrors = SimulatorOptions.StateErrors.whole_call;
            });
    List<String> runningThenStopped = List.of(subjob.inventory().get(0), last(subjob));

    Job job = finished(subjob, subjob.submit(CloudAction.STOP, runningThenStopped));
    CloudException refused =
        catchThrowableOfType(
            CloudException.class, () -> wholeCall.submit(CloudAction.STOP, runningThenStopped));
    wholeCall.submit(CloudAction.STOP, List.of(wholeCall.inventory().get(1)));
    CloudException busy =
        catchThrowableOfType(
            CloudException.class,
            () -> wholeCall.submit(CloudAction.REBOOT, List.of(wholeCall.inventory().get(1))));

    assertThat(job.subJobs())
        .extracting(SubJob::status, SubJob::errorCode)
        .containsExactly(tuple(JobStatus.SUCCESS, null), tuple(JobStatus.FAIL, "BMS.0039"));
    assertThat(refused.httpStatus()).isEqualTo(400);
    assertThat(refused.code()).isEqualTo("BMS.0039");
    assertThat(refused.getMessage()).isEqualTo("Server is stopped, not allow to stop.");
    assertThat(busy.code()).isEqualTo("BMS.0036");
    assertThat(busy.getMessage()).isEqualTo("Server is powering off, not allow to reboot.");
    assertThat(wholeCall.actionCalls()).isEqualTo(1);
    assertThat(wholeCall.submissions()).containsOnlyKeys(wholeCall.inventory().get(1));
    assertThat(wholeCall.getServer(wholeCall.inventory().get(0)).isOn()).isTrue();
  }

  @Test
  void listPagingReadsOffsetAsAPageOrARowAndCountAsTheTotalOrThePage() {
    var pages = client(o -> o.servers = 30);
    var capped =
        client(
            o -> {
              o.servers = 30;
              o.listPaging = SimulatorOptions.ListPaging.capped_count;
            });
    var rows =
        client(
            o -> {
              o.servers = 30;
              o.listPaging = SimulatorOptions.ListPaging.row_offset;
            });
    List<String> all = pages.inventory();

    assertThat(page(pages, 2, 10)).isEqualTo(new Paged(30, all.subList(10, 20)));
    assertThat(page(capped, 2, 10)).isEqualTo(new Paged(10, all.subList(10, 20)));
    assertThat(page(capped, 2, 25)).isEqualTo(new Paged(5, all.subList(25, 30)));
    assertThat(page(rows, 1, 10)).isEqualTo(new Paged(30, all.subList(1, 11)));
    assertThat(page(rows, 0, 10)).isEqualTo(new Paged(30, all.subList(0, 10)));
    assertThat(page(rows, 2, 10)).isEqualTo(new Paged(30, all.subList(2, 12)));
  }

  @Test
  void aServerErrorOnTheActionPostComesBeforeOrAfterTheJobWasCreated() {
    var notExecuted =
        client(
            o -> {
              o.post5xx = SimulatorOptions.PostServerErrors.not_executed;
              o.post5xxRate = 1;
            });
    var afterAccept =
        client(
            o -> {
              o.post5xx = SimulatorOptions.PostServerErrors.after_accept;
              o.post5xxRate = 1;
            });
    List<String> two = notExecuted.inventory().subList(0, 2);

    CloudException refused =
        catchThrowableOfType(CloudException.class, () -> notExecuted.submit(CloudAction.STOP, two));
    CloudException lost =
        catchThrowableOfType(CloudException.class, () -> afterAccept.submit(CloudAction.STOP, two));

    assertThat(refused.httpStatus()).isIn(500, 502, 504);
    assertThat(notExecuted.actionCalls()).isZero();
    assertThat(notExecuted.submissions()).isEmpty();
    assertThat(notExecuted.getServer(two.get(0)).isOn()).isTrue();
    assertThat(lost.httpStatus()).isIn(500, 502, 504);
    // The client cannot tell the two readings apart: both leave the outcome unknown.
    assertThat(refused.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS);
    assertThat(lost.errorClass()).isEqualTo(ErrorClass.AMBIGUOUS);
    assertThat(afterAccept.actionCalls()).isEqualTo(1);
    assertThat(afterAccept.submissions()).containsOnlyKeys(two).containsValues(1);
    assertThat(afterAccept.getServer(two.get(0)).taskState()).isEqualTo("powering-off");
    assertThat(afterAccept.requests("submit " + lost.httpStatus())).isEqualTo(1);
  }

  @Test
  void theActionPostsServerErrorsAreTheGatewaysAndTheBackendsAtTheConfiguredRate() {
    var cloud =
        client(
            o -> {
              o.post5xx = SimulatorOptions.PostServerErrors.after_accept;
              o.post5xxRate = 0.5;
            });
    Set<String> seen = new HashSet<>();
    int failed = 0;

    for (String id : cloud.inventory()) {
      try {
        cloud.submit(CloudAction.REBOOT, List.of(id));
      } catch (CloudException e) {
        failed++;
        seen.add(e.httpStatus() + " " + e.code());
      }
    }

    assertThat(seen).containsExactlyInAnyOrder("502 APIG.0202", "504 APIG.0203", "500 BMS.9999");
    assertThat(failed).isBetween(15, 35);
    assertThat(cloud.actionCalls()).isEqualTo(50);
  }

  @Test
  void aJobStartDelayShowsNothingThenStartsTheSubJobsOneAfterAnother() {
    var cloud =
        client(
            o -> {
              o.jobStartDelay = Duration.ofSeconds(10);
              o.jobDuration = Duration.ofSeconds(4);
            });
    List<String> servers = cloud.inventory().subList(0, 2);
    String before = cloud.getServer(servers.get(0)).updated();

    String jobId = cloud.submit(CloudAction.STOP, servers);
    clock.advance(Duration.ofSeconds(9));
    Job waiting = cloud.getJob(jobId);
    JsonNode waitingOnTheWire = wire(cloud, jobId);
    ServerDetails untouched = cloud.getServer(servers.get(0));
    clock.advance(Duration.ofSeconds(1));
    Job first = cloud.getJob(jobId);
    ServerDetails stopping = cloud.getServer(servers.get(0));
    ServerDetails notYet = cloud.getServer(servers.get(1));
    clock.advance(Duration.ofSeconds(5));
    Job second = cloud.getJob(jobId);
    clock.advance(Duration.ofSeconds(4));
    Job done = cloud.getJob(jobId);

    assertThat(waiting.status()).isEqualTo(JobStatus.INIT);
    assertThat(waiting.subJobs()).isEmpty();
    assertThat(waitingOnTheWire.path("entities").path("sub_jobs_total").asInt()).isZero();
    assertThat(untouched.isTransitioning()).isFalse();
    assertThat(untouched.updated()).isEqualTo(before);
    assertThat(first.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(first.subJobs())
        .extracting(SubJob::status)
        .containsExactly(JobStatus.RUNNING, JobStatus.INIT);
    assertThat(stopping.taskState()).isEqualTo("powering-off");
    assertThat(stopping.updated()).isEqualTo("2026-03-01T10:00:10Z");
    assertThat(notYet.isTransitioning()).isFalse();
    assertThat(second.subJobs())
        .extracting(SubJob::status)
        .containsExactly(JobStatus.SUCCESS, JobStatus.RUNNING);
    assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(done.endTime()).isEqualTo("2026-03-01T10:00:19Z");
    assertThat(cloud.getServer(servers.get(1)).isOff()).isTrue();
  }

  @Test
  void anUnknownJobIs404Or400AndAFinishedJobIsForgottenAfterItsRetention() {
    var answers400 = client(o -> o.jobNotFoundStatus = 400);
    var retained = client(o -> o.jobRetention = Duration.ofMinutes(1));

    CloudException unknown =
        catchThrowableOfType(CloudException.class, () -> answers400.getJob("no-such-job"));
    String jobId = retained.submit(CloudAction.STOP, retained.inventory().subList(0, 1));
    clock.advance(retained.options().jobDuration);
    Job finished = retained.getJob(jobId);
    clock.advance(Duration.ofSeconds(59));
    Job stillThere = retained.getJob(jobId);
    clock.advance(Duration.ofSeconds(1));
    CloudException expired =
        catchThrowableOfType(CloudException.class, () -> retained.getJob(jobId));

    assertThat(unknown.httpStatus()).isEqualTo(400);
    assertThat(unknown.code()).isEqualTo("BMS.0018");
    assertThat(finished.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(stillThere.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(expired.httpStatus()).isEqualTo(404);
    assertThat(expired.code()).isEqualTo("BMS.0024");
  }

  @Test
  void aFinishedJobMayShowNoSubJobsOrNotOneForEveryServerWithTheCodeAtTheTop() {
    for (FinishedJobSubJobs reading : FinishedJobSubJobs.values()) {
      var cloud =
          client(
              o -> {
                o.stopped = 1;
                o.finishedJobSubJobs = reading;
              });
      List<String> servers = List.of(cloud.inventory().get(0), last(cloud));
      String jobId = cloud.submit(CloudAction.STOP, servers);
      JsonNode running = wire(cloud, jobId);
      clock.advance(cloud.options().jobDuration);
      JsonNode done = wire(cloud, jobId);
      Job parsed = cloud.getJob(jobId);

      assertThat(running.path("entities").path("sub_jobs")).hasSize(2);
      assertThat(done.path("status").asText()).isEqualTo("FAIL");
      switch (reading) {
        case complete -> {
          assertThat(parsed.subJobs()).hasSize(2);
          assertThat(parsed.errorCode()).isEqualTo("BMS.0006");
        }
        case empty -> {
          assertThat(done.path("entities").path("sub_jobs").isArray()).isTrue();
          assertThat(done.path("entities").path("sub_jobs")).isEmpty();
          assertThat(done.path("entities").path("sub_jobs_total").asInt()).isZero();
        }
        case missing -> assertThat(done.path("entities").size()).isZero();
        case partial -> {
          assertThat(parsed.subJobs()).extracting(SubJob::serverId).containsExactly(servers.get(0));
          assertThat(done.path("entities").path("sub_jobs_total").asInt()).isEqualTo(2);
        }
      }
      if (reading != FinishedJobSubJobs.complete) {
        assertThat(parsed.errorCode()).isEqualTo("BMS.0039");
        assertThat(parsed.failReason()).isEqualTo("Server is stopped, not allow to stop.");
      }
    }
  }

  @Test
  void aServerTwiceInOneCallIsRefusedOrItsSecondSubJobFails() {
    var cloud = client(o -> o.duplicateIds = SimulatorOptions.DuplicateIds.second_fails);
    String id = cloud.inventory().get(0);

    Job job = finished(cloud, cloud.submit(CloudAction.REBOOT, List.of(id, id)));

    assertThat(job.subJobs())
        .extracting(SubJob::serverId, SubJob::status, SubJob::errorCode)
        .containsExactly(tuple(id, JobStatus.SUCCESS, null), tuple(id, JobStatus.FAIL, "BMS.0037"));
    assertThat(cloud.submissions()).containsEntry(id, 2);
    assertThat(cloud.actionCalls()).isEqualTo(1);
  }

  @Test
  void anUpperCaseIdIsTheSameServerOrAnUnknownOne() {
    var insensitive = client(o -> {});
    var sensitive = client(o -> o.idCase = SimulatorOptions.IdCase.sensitive);
    String id = insensitive.inventory().get(0);
    String upper = id.toUpperCase(Locale.ROOT);

    CloudException unknownServer =
        catchThrowableOfType(CloudException.class, () -> sensitive.getServer(upper));
    CloudException unknownInCall =
        catchThrowableOfType(
            CloudException.class, () -> sensitive.submit(CloudAction.STOP, List.of(upper)));

    assertThat(insensitive.getServer(upper).id()).isEqualTo(id);
    assertThat(unknownServer.httpStatus()).isEqualTo(404);
    assertThat(unknownServer.code()).isEqualTo("BMS.0040");
    assertThat(unknownInCall.code()).isEqualTo("BMS.0040");
    assertThat(sensitive.getServer(id).id()).isEqualTo(id);
  }

  @Test
  void anUpperCaseIdUnknownInASubJobIsCountedUnderItsOwnSpelling() {
    var cloud =
        client(
            o -> {
              o.idCase = SimulatorOptions.IdCase.sensitive;
              o.unknownIds = SimulatorOptions.UnknownIdMode.fail;
            });
    String id = cloud.inventory().get(0);
    String upper = id.toUpperCase(Locale.ROOT);

    Job job = finished(cloud, cloud.submit(CloudAction.STOP, List.of(upper)));

    assertThat(job.subJobs()).extracting(SubJob::errorCode).containsExactly("BMS.0040");
    assertThat(cloud.submissions()).containsOnlyKeys(upper);
    assertThat(cloud.getServer(id).isOn()).isTrue();
  }

  @Test
  void overloadIsAnsweredOnThePostOrInASubJob() {
    var onPost =
        client(
            o -> {
              o.overload = SimulatorOptions.Overload.post;
              o.overloadRate = 1;
            });
    var inSubJob =
        client(
            o -> {
              o.overload = SimulatorOptions.Overload.subjob;
              o.overloadRate = 1;
            });
    List<String> one = onPost.inventory().subList(0, 1);

    CloudException refused =
        catchThrowableOfType(CloudException.class, () -> onPost.submit(CloudAction.STOP, one));
    Job job = finished(inSubJob, inSubJob.submit(CloudAction.STOP, one));

    assertThat(refused.httpStatus()).isEqualTo(400);
    assertThat(refused.code()).isEqualTo("BMS.0212");
    assertThat(refused.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
    assertThat(onPost.actionCalls()).isZero();
    assertThat(job.subJobs()).extracting(SubJob::errorCode).containsExactly("BMS.0212");
    assertThat(job.subJobs().get(0).failReason())
        .isEqualTo("System is overloaded, please try again later.");
    assertThat(inSubJob.submissions()).containsOnlyKeys(one);
    assertThat(inSubJob.getServer(one.get(0)).isOn()).isTrue();
  }

  @Test
  void detailsAndListErrorsMayComeInNovasNestedShape() {
    var nested = client(o -> o.nestedErrors = true);
    var faulty =
        new SimulatedApi(
            options(
                o -> {
                  o.nestedErrors = true;
                  o.serverErrorRate = 1;
                }),
            new SimulatedCloud(options(o -> {})));

    SimulatedApi.Answer notFound = api(nested).server(GHOST, clock.instant());
    CloudException read = catchThrowableOfType(CloudException.class, () -> nested.getServer(GHOST));
    List<SimulatedApi.Answer> faults =
        List.of(
            faulty.fault("listServers"),
            faulty.fault("listServers"),
            faulty.fault("listServers"),
            faulty.fault("getJob"));

    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.body().path("itemNotFound").path("code").asInt()).isEqualTo(404);
    assertThat(notFound.body().path("itemNotFound").path("message").asText())
        .isEqualTo("Instance " + GHOST + " could not be found.");
    assertThat(read.httpStatus()).isEqualTo(404);
    assertThat(faults)
        .filteredOn(a -> a.status() == 500)
        .allSatisfy(
            a ->
                assertThat(a.body().has("computeFault") || a.body().has("error"))
                    .as(a.body().toString())
                    .isTrue());
    assertThat(faults.subList(0, 3))
        .filteredOn(a -> a.status() == 500)
        .allSatisfy(
            a -> assertThat(a.body().path("computeFault").path("code").asInt()).isEqualTo(500));
    assertThat(faults)
        .filteredOn(a -> a.status() == 504)
        .allSatisfy(a -> assertThat(a.body().path("error_code").asText()).isEqualTo("APIG.0203"));
  }

  @Test
  void theCloudsClockMayBeAheadOrBehindForUpdatedAndJobTimes() {
    var behind = client(o -> o.clockOffset = Duration.ofMinutes(-10));
    String id = behind.inventory().get(0);

    String jobId = behind.submit(CloudAction.REBOOT, List.of(id));
    ServerDetails rebooting = behind.getServer(id);
    Job job = finished(behind, jobId);

    assertThat(rebooting.updated()).isEqualTo("2026-03-01T09:50:00Z");
    assertThat(job.beginTime()).isEqualTo("2026-03-01T09:50:00Z");
    assertThat(behind.getServer(id).updated()).isEqualTo("2026-03-01T09:50:05Z");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private record Paged(int count, List<String> ids) {}

  private static Paged page(InProcessBmsClient cloud, int offset, int limit) {
    ServerPage page = cloud.listServers(offset, limit);
    return new Paged(page.count(), page.servers().stream().map(ServerDetails::id).toList());
  }

  private static String last(InProcessBmsClient cloud) {
    return cloud.inventory().get(cloud.inventory().size() - 1);
  }

  /** The job's body as the wire carries it. */
  private JsonNode wire(InProcessBmsClient cloud, String jobId) {
    return api(cloud).job(jobId, clock.instant()).body();
  }

  private static SimulatedApi api(InProcessBmsClient cloud) {
    return cloud.api();
  }

  private static SimulatorOptions options(Consumer<SimulatorOptions> configure) {
    SimulatorOptions options = new SimulatorOptions();
    options.servers = 50;
    configure.accept(options);
    return options;
  }

  private InProcessBmsClient client(Consumer<SimulatorOptions> configure) {
    return new InProcessBmsClient(options(configure), clock);
  }

  private Job finished(InProcessBmsClient cloud, String jobId) {
    clock.advance(cloud.options().jobDuration);
    return cloud.getJob(jobId);
  }
}
