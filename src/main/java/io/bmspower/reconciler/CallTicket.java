package io.bmspower.reconciler;

/** One submission attempt of one resource's batch. */
record CallTicket(String uid, int index, int attempt) {}
