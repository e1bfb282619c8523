package io.bmspower.reconciler;

import io.bmspower.cloud.CloudEndpoint;

/** Where a resource's calls go and which Secret authenticates them. */
record CloudTarget(CloudEndpoint endpoint, String secretNamespace, String secretName) {}
