//go:build tools

// Package tools pins the node and control-plane main packages make e2e runs, so `go mod tidy` keeps
// their dependencies. Same k8s.io/kubernetes version as ../kube-apiserver.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
