package io.bmspower.cloud;

/** One server's part of a batch job. */
public record SubJob(
    String serverId,
    JobStatus status,
    String jobId,
    String errorCode,
    String failReason,
    String beginTime,
    String endTime) {}
