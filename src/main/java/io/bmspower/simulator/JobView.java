package io.bmspower.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmspower.simulator.SimulatorOptions.FinishedJobSubJobs;
import java.time.Instant;
import java.util.List;

/** A job as {@code GET /v1/{project_id}/jobs/{job_id}} shows it at an instant. */
final class JobView {

  private JobView() {}

  static ObjectNode of(SimulatedCloud.Job job, Instant now, FinishedJobSubJobs finishedSubJobs) {
    String status = job.status(now);
    boolean finished = status.equals("SUCCESS") || status.equals("FAIL");
    boolean init = status.equals("INIT");
    FinishedJobSubJobs shown = finished ? finishedSubJobs : FinishedJobSubJobs.complete;
    boolean notYet = init && !job.listsSubJobsInInit();
    List<SimulatedCloud.SubJob> listed = notYet ? List.of() : listed(job.subJobs(), shown);
    ObjectNode answer = SimulatedApi.JSON.createObjectNode();
    answer.put("status", status);
    ObjectNode entities = answer.putObject("entities");
    if (shown != FinishedJobSubJobs.missing) {
      entities.put(
          "sub_jobs_total", notYet || shown == FinishedJobSubJobs.empty ? 0 : job.subJobs().size());
      ArrayNode subJobs = entities.putArray("sub_jobs");
      listed.forEach(sub -> subJobs.add(subJob(sub, init ? "INIT" : sub.status(now))));
    }
    answer.put("job_id", job.jobId());
    answer.put("job_type", "baremetalBatchOperate");
    answer.put("begin_time", job.created().toString());
    answer.put("end_time", finished ? job.finishes().toString() : null);
    SimulatedCloud.SubJob failed =
        job.subJobs().stream().filter(s -> !s.succeeds()).findFirst().orElse(null);
    boolean complete = shown == FinishedJobSubJobs.complete;
    boolean fail = status.equals("FAIL");
    // Without all sub-jobs, the top level carries what went wrong.
    answer.put("error_code", !fail ? null : complete ? "BMS.0006" : failed.errorCode());
    answer.put(
        "fail_reason",
        !fail ? null : complete ? "Fail to operate baremetal server." : failed.failReason());
    return answer;
  }

  private static List<SimulatedCloud.SubJob> listed(
      List<SimulatedCloud.SubJob> all, FinishedJobSubJobs shown) {
    return switch (shown) {
      case complete -> all;
      case empty, missing -> List.of();
      case partial -> all.subList(0, all.size() - 1);
    };
  }

  private static ObjectNode subJob(SimulatedCloud.SubJob sub, String status) {
    boolean ended = status.equals("SUCCESS") || status.equals("FAIL");
    ObjectNode s = SimulatedApi.JSON.createObjectNode();
    s.put("status", status);
    s.putObject("entities").put("server_id", sub.serverId());
    s.put("job_id", sub.jobId());
    s.put("job_type", "baremetalSingleOperate");
    s.put("begin_time", sub.starts().toString());
    s.put("end_time", ended ? sub.finishes().toString() : null);
    s.put("error_code", ended && !sub.succeeds() ? sub.errorCode() : null);
    s.put("fail_reason", ended && !sub.succeeds() ? sub.failReason() : null);
    return s;
  }
}
