package io.bmspower.reconciler;

import io.bmspower.cloud.CloudException;
import java.time.Instant;

/**
 * A call as one participant sees it: a job ID, the error, or withdrawn (never sent); when it was
 * sent; and the version of the Secret whose credentials made it.
 */
record CallOutcome(
    String jobId,
    CloudException error,
    boolean withdrawn,
    int participants,
    Instant sentAt,
    String secretVersion) {}
