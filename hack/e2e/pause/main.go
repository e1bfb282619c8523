// Command pause is the pod sandbox's process for make e2e's node: it holds the pod's namespaces,
// reaps orphaned children (it is PID 1 of the pod when the PID namespace is shared) and exits on
// SIGTERM or SIGINT, like Kubernetes' own pause image. `pause -v` prints a line and exits (a probe).
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		os.Stdout.WriteString("pause (bms-power-operator e2e)\n")
		return
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
