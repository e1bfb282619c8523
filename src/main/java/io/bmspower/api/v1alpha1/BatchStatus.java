package io.bmspower.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One submission attempt of one batch. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchStatus {

  @JsonPropertyDescription(
      "The batch's position in the plan: batch i holds the servers i*batchSize to"
          + " (i+1)*batchSize-1 of spec.servers lower-cased and sorted.")
  private Integer index;

  @JsonPropertyDescription("1 for the first submission; retries of failed servers count up.")
  private Integer attempt;

  @JsonPropertyDescription("Servers carried by this submission.")
  private Integer size;

  @JsonPropertyDescription(
      "Pending, Submitting (intent recorded, outcome unknown until a job ID is recorded), Running,"
          + " Succeeded, PartiallySucceeded or Failed.")
  private BatchState state;

  @JsonPropertyDescription("The cloud's job ID for this submission.")
  private String jobId;

  @JsonPropertyDescription(
      "When the intent was recorded, and once known, when the action call was made (RFC 3339).")
  private String submittedAt;

  @JsonPropertyDescription(
      "The operator instance that recorded the intent (its Lease identity). Another instance"
          + " recovers an intent it does not know only after the intent's bound has passed.")
  private String holder;

  @JsonPropertyDescription(
      "The Lease's leaseTransitions when the holder recorded the intent (leader election on): the"
          + " holder's term. An intent of another holder or term is recovered only once that"
          + " holder's Lease has expired and the intent's bound has passed since.")
  private Long holderEpoch;

  @JsonPropertyDescription(
      "True when the action call is known to have been made but its answer was lost: the"
          + " servers' state decides, a grace period after the call.")
  private Boolean sent;

  @JsonPropertyDescription(
      "Reboot only: the latest 'updated' time among the batch's servers, read from the cloud"
          + " before the intent (the cloud's clock). A server whose 'updated' is later than this"
          + " was rebooted since, whatever the difference between the cloud's clock and ours.")
  private String baselineUpdated;

  @JsonPropertyDescription("When the job ended (RFC 3339).")
  private String finishedAt;

  @JsonPropertyDescription("Why the submission failed or is waiting, when it did or is.")
  private String message;

  @JsonPropertyDescription("Servers of this submission whose action completed.")
  private Integer succeeded;

  @JsonPropertyDescription("Servers of this submission that failed for good.")
  private Integer failed;

  @JsonPropertyDescription(
      "Servers of this submission that failed retryably and go into the next attempt.")
  private Integer retrying;

  @JsonPropertyDescription(
      "Which servers of the batch's range this submission carries, when not all: 'o:' and offsets"
          + " into the range, or 'b:' and a base64 bitmap. Bookkeeping for crash-safe retries.")
  private String members;

  @JsonPropertyDescription("Not submitted before this time (RFC 3339): a retry's backoff.")
  private String notBefore;

  public Integer getIndex() {
    return index;
  }

  public void setIndex(Integer index) {
    this.index = index;
  }

  public Integer getAttempt() {
    return attempt;
  }

  public void setAttempt(Integer attempt) {
    this.attempt = attempt;
  }

  public Integer getSize() {
    return size;
  }

  public void setSize(Integer size) {
    this.size = size;
  }

  public BatchState getState() {
    return state;
  }

  public void setState(BatchState state) {
    this.state = state;
  }

  public String getJobId() {
    return jobId;
  }

  public void setJobId(String jobId) {
    this.jobId = jobId;
  }

  public String getSubmittedAt() {
    return submittedAt;
  }

  public void setSubmittedAt(String submittedAt) {
    this.submittedAt = submittedAt;
  }

  public String getHolder() {
    return holder;
  }

  public void setHolder(String holder) {
    this.holder = holder;
  }

  public Long getHolderEpoch() {
    return holderEpoch;
  }

  public void setHolderEpoch(Long holderEpoch) {
    this.holderEpoch = holderEpoch;
  }

  public Boolean getSent() {
    return sent;
  }

  public void setSent(Boolean sent) {
    this.sent = sent;
  }

  public String getBaselineUpdated() {
    return baselineUpdated;
  }

  public void setBaselineUpdated(String baselineUpdated) {
    this.baselineUpdated = baselineUpdated;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Integer getSucceeded() {
    return succeeded;
  }

  public void setSucceeded(Integer succeeded) {
    this.succeeded = succeeded;
  }

  public Integer getFailed() {
    return failed;
  }

  public void setFailed(Integer failed) {
    this.failed = failed;
  }

  public Integer getRetrying() {
    return retrying;
  }

  public void setRetrying(Integer retrying) {
    this.retrying = retrying;
  }

  public String getMembers() {
    return members;
  }

  public void setMembers(String members) {
    this.members = members;
  }

  public String getNotBefore() {
    return notBefore;
  }

  public void setNotBefore(String notBefore) {
    this.notBefore = notBefore;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof BatchStatus)) {
      return false;
    }
    BatchStatus that = (BatchStatus) o;
    return Objects.equals(index, that.index)
        && Objects.equals(attempt, that.attempt)
        && Objects.equals(size, that.size)
        && state == that.state
        && Objects.equals(jobId, that.jobId)
        && Objects.equals(submittedAt, that.submittedAt)
        && Objects.equals(holder, that.holder)
        && Objects.equals(holderEpoch, that.holderEpoch)
        && Objects.equals(sent, that.sent)
        && Objects.equals(baselineUpdated, that.baselineUpdated)
        && Objects.equals(finishedAt, that.finishedAt)
        && Objects.equals(message, that.message)
        && Objects.equals(succeeded, that.succeeded)
        && Objects.equals(failed, that.failed)
        && Objects.equals(retrying, that.retrying)
        && Objects.equals(members, that.members)
        && Objects.equals(notBefore, that.notBefore);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        index,
        attempt,
        size,
        state,
        jobId,
        submittedAt,
        holder,
        holderEpoch,
        sent,
        baselineUpdated,
        finishedAt,
        message,
        succeeded,
        failed,
        retrying,
        members,
        notBefore);
  }
}
