package fleet_test

import "syscall"

// childProcAttr makes a child process (a NATS server, a replica) die with
// the test process, so that a test binary killed by go test's -timeout
// leaves no server holding ports and temporary stores behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
