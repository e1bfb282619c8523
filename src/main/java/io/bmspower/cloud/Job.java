package io.bmspower.cloud;

import java.util.List;

/** A batch job as {@code GET /v1/{project_id}/jobs/{job_id}} reports it. */
public record Job(
    String jobId,
    JobStatus status,
    String jobType,
    List<SubJob> subJobs,
    String errorCode,
    String failReason,
    String beginTime,
    String endTime) {

  public Job {
    subJobs = subJobs == null ? List.of() : List.copyOf(subJobs);
  }
}
