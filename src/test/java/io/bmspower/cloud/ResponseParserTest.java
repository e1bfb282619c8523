package io.bmspower.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponseParserTest {

  @Test
  void readsTheDocumentedJobExampleWithNullsAndMissingFields() {
    String body =
        """
        {"status":"SUCCESS",
         "entities":{"sub_jobs_total":1,
           "sub_jobs":[{"status":"SUCCESS","entities":{"server_id":"bae51750-0089-41a1-9b18-5c777978ff6d"},
             "job_id":"2c9eb2c5544cbf6101544f0635672b60","job_type":"baremetalSingleCreate",
             "begin_time":"2019-04-25T20:04:47.591Z","end_time":"2019-04-25T20:08:21.328Z",
             "error_code":null,"fail_reason":null}]},
         "job_id":"2c9eb2c5544cbf6101544f0602af2b4f","job_type":"baremetalBatchCreate",
         "begin_time":"2019-04-25T20:04:34.604Z","end_time":"2019-04-25T20:08:41.593Z",
         "error_code":null,"fail_reason":null}
        """;

    Job job = ResponseParser.job(ResponseParser.tree(body));

    assertThat(job.jobId()).isEqualTo("2c9eb2c5544cbf6101544f0602af2b4f");
    assertThat(job.status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(job.errorCode()).isNull();
    assertThat(job.subJobs())
        .singleElement()
        .satisfies(
            sub -> {
              assertThat(sub.serverId()).isEqualTo("bae51750-0089-41a1-9b18-5c777978ff6d");
              assertThat(sub.status()).isEqualTo(JobStatus.SUCCESS);
              assertThat(sub.errorCode()).isNull();
            });
  }

  @Test
  void toleratesUnknownStatusesMissingEntitiesAndUuidJobIds() {
    Job job =
        ResponseParser.job(
            ResponseParser.tree(
                "{\"status\":\"PENDING_PAYMENT\",\"job_id\":\"70a599e0-31e7-49b7-b260-868f441e862b\"}"));
    Job odd =
        ResponseParser.job(
            ResponseParser.tree("{\"status\":\"SOMETHING_NEW\",\"entities\":{\"sub_jobs\":null}}"));

    assertThat(job.status()).isEqualTo(JobStatus.PENDING_PAYMENT);
    assertThat(job.jobId()).isEqualTo("70a599e0-31e7-49b7-b260-868f441e862b");
    assertThat(job.subJobs()).isEmpty();
    assertThat(odd.status()).isEqualTo(JobStatus.UNKNOWN);
    assertThat(odd.subJobs()).isEmpty();
  }

  @Test
  void readsAFailedSubJobWithItsCodeAndReason() {
    Job job =
        ResponseParser.job(
            ResponseParser.tree(
                "{\"status\":\"FAIL\",\"entities\":{\"sub_jobs\":[{\"status\":\"FAIL\",\"entities\":{\"server_id\":\"s1\"},"
                    + "\"error_code\":\"BMS.0039\",\"fail_reason\":\"Server is stopped, not allow to stop.\"}]}}"));

    assertThat(job.subJobs().get(0).errorCode()).isEqualTo("BMS.0039");
    assertThat(job.subJobs().get(0).failReason())
        .isEqualTo("Server is stopped, not allow to stop.");
  }

  @Test
  void readsServerDetailsAndTheirPowerState() {
    ServerDetails stopped =
        ResponseParser.server(
            ResponseParser.tree(
                "{\"id\":\"x\",\"status\":\"SHUTOFF\",\"OS-EXT-STS:task_state\":null,"
                    + "\"OS-EXT-STS:vm_state\":\"stopped\",\"OS-EXT-STS:power_state\":4}"));
    ServerDetails stopping =
        ResponseParser.server(
            ResponseParser.tree(
                "{\"id\":\"y\",\"status\":\"ACTIVE\",\"OS-EXT-STS:task_state\":\"powering-off\","
                    + "\"OS-EXT-STS:vm_state\":\"active\",\"OS-EXT-STS:power_state\":1}"));

    assertThat(stopped.isOff()).isTrue();
    assertThat(stopped.isTransitioning()).isFalse();
    assertThat(stopping.isOff()).isFalse();
    assertThat(stopping.isOn()).isFalse();
    assertThat(stopping.isTransitioning()).isTrue();
  }

  @Test
  void readsTheNameAndTagsOfAServer() {
    ServerDetails server =
        ResponseParser.server(
            ResponseParser.tree(
                "{\"id\":\"x\",\"name\":\"bms-test2\",\"status\":\"SHUTOFF\","
                    + "\"tags\":[\"__type_baremetal\",\"_sys_enterprise_project_id=9dd1\","
                    + "\"key1=value1\",\"three=3\"]}"));

    assertThat(server.name()).isEqualTo("bms-test2");
    assertThat(server.tags())
        .containsExactly(
            "__type_baremetal", "_sys_enterprise_project_id=9dd1", "key1=value1", "three=3");
    assertThat(server.hasTag("key1=value1")).isTrue();
    assertThat(server.hasTag("key1")).isFalse();
    assertThat(server.hasAllTags(List.of("three=3", "__type_baremetal"))).isTrue();
    assertThat(server.hasAllTags(List.of("three=3", "two=2"))).isFalse();
    assertThat(server.hasAllTags(List.of())).isTrue();
  }

  @Test
  void aMissingNullOrOddNameAndTagsAreToleratedAndTagsAreNeverNull() {
    ServerDetails missing = ResponseParser.server(ResponseParser.tree("{\"id\":\"x\"}"));
    ServerDetails nulls =
        ResponseParser.server(ResponseParser.tree("{\"id\":\"x\",\"name\":null,\"tags\":null}"));
    ServerDetails odd =
        ResponseParser.server(
            ResponseParser.tree(
                "{\"id\":\"x\",\"name\":{\"a\":1},"
                    + "\"tags\":[\"a=1\",null,3,{\"key\":\"b\"},[\"c\"],true,\"d=\"]}"));
    ServerDetails notAnArray =
        ResponseParser.server(ResponseParser.tree("{\"id\":\"x\",\"tags\":\"a=1\"}"));

    assertThat(missing.name()).isNull();
    assertThat(missing.tags()).isEmpty();
    assertThat(nulls.name()).isNull();
    assertThat(nulls.tags()).isEmpty();
    assertThat(odd.name()).isNull();
    assertThat(odd.tags()).containsExactly("a=1", "d=");
    assertThat(notAnArray.tags()).isEmpty();
    assertThat(missing.hasAllTags(List.of("a=1"))).isFalse();
  }

  @Test
  void theSixFieldConstructorHasNoNameAndNoTags() {
    ServerDetails old = new ServerDetails("id", "ACTIVE", null, "active", 1, "t");
    ServerDetails nullTags = new ServerDetails("id", "ACTIVE", null, "active", 1, "t", "n", null);
    ServerDetails nullTag =
        new ServerDetails(
            "id", "ACTIVE", null, "active", 1, "t", "n", java.util.Arrays.asList("a=1", null));

    assertThat(old.name()).isNull();
    assertThat(old.tags()).isEmpty();
    assertThat(old.isOn()).isTrue();
    assertThat(nullTags.tags()).isEmpty();
    assertThat(nullTag.tags()).containsExactly("a=1");
  }

  @Test
  void readsTheBmsErrorShape() {
    CloudException e =
        ResponseParser.error(
            400,
            "{\"error\":{\"message\":\"The server does not exist.\",\"code\":\"BMS.0040\"}}",
            Optional.of("req-1"),
            Optional.empty());

    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("BMS.0040");
    assertThat(e.getMessage()).isEqualTo("The server does not exist.");
    assertThat(e.requestId()).isEqualTo("req-1");
    assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_TERMINAL);
  }

  @Test
  void readsANestedNovaErrorBody() {
    CloudException e =
        ResponseParser.error(
            404,
            "{\"itemNotFound\":{\"code\":404,\"message\":\"Instance x could not be found.\"}}",
            Optional.of("req-2"),
            Optional.empty());

    assertThat(e.httpStatus()).isEqualTo(404);
    assertThat(e.code()).isEqualTo("404");
    assertThat(e.getMessage()).isEqualTo("Instance x could not be found.");
    assertThat(e.requestId()).isEqualTo("req-2");
  }

  @Test
  void readsAnErrorNestedDeeperAndSkipsFieldsWithoutACode() {
    CloudException e =
        ResponseParser.error(
            400,
            "{\"request_id\":\"r\",\"meta\":{\"x\":1},"
                + "\"badRequest\":{\"detail\":{\"code\":\"BMS.0040\",\"message\":\"gone\"}}}",
            Optional.empty(),
            Optional.empty());

    assertThat(e.code()).isEqualTo("BMS.0040");
    assertThat(e.getMessage()).isEqualTo("gone");
    assertThat(e.requestId()).isEqualTo("r");
    assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_TERMINAL);
  }

  @Test
  void readsTheGatewayErrorShapeWithRetryAfter() {
    CloudException e =
        ResponseParser.error(
            429,
            "{\"error_code\":\"APIG.0308\",\"error_msg\":\"The throttling threshold has been reached.\","
                + "\"request_id\":\"abc\"}",
            Optional.empty(),
            Optional.of("7"));

    assertThat(e.code()).isEqualTo("APIG.0308");
    assertThat(e.requestId()).isEqualTo("abc");
    assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
    assertThat(e.retryAfter()).hasSeconds(7);
  }

  @Test
  void aRetryAfterBeyondTwoMinutesMeansTwoMinutes() {
    CloudException day = throttled("86400");
    CloudException atCap = throttled("120");
    CloudException below = throttled("119");

    assertThat(ResponseParser.MAX_RETRY_AFTER).isEqualTo(Duration.ofMinutes(2));
    assertThat(day.retryAfter()).isEqualTo(Duration.ofMinutes(2));
    assertThat(atCap.retryAfter()).isEqualTo(Duration.ofMinutes(2));
    assertThat(below.retryAfter()).hasSeconds(119);
    assertThat(throttled("9223372036854775807").retryAfter()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void anUnreadableOrNegativeRetryAfterIsIgnored() {
    assertThat(throttled("-5").retryAfter()).isNull();
    assertThat(throttled("Wed, 21 Oct 2015 07:28:00 GMT").retryAfter()).isNull();
    assertThat(throttled(" 3 ").retryAfter()).hasSeconds(3);
  }

  @Test
  void anEmptyOrHtmlBodyStillGivesAnActionableError() {
    CloudException e =
        ResponseParser.error(502, "<html>Bad Gateway</html>", Optional.empty(), Optional.empty());

    assertThat(e.errorClass()).isEqualTo(ErrorClass.RETRYABLE);
    assertThat(e.getMessage()).contains("HTTP 502").contains("Bad Gateway");
  }

  private static CloudException throttled(String retryAfter) {
    return ResponseParser.error(
        429,
        "{\"error_code\":\"APIG.0308\",\"error_msg\":\"throttled\"}",
        Optional.empty(),
        Optional.of(retryAfter));
  }
}
