package io.bmspower.reconciler;

import io.bmspower.cloud.CloudAction;
import io.bmspower.cloud.CloudEndpoint;
import io.bmspower.cloud.Credentials;

/** Requests with the same key may share an action call. */
record CallKey(CloudEndpoint endpoint, Credentials credentials, CloudAction action) {}
