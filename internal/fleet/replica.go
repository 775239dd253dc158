package fleet

import (
	"fmt"
	"math/rand/v2"
	"os"
)

// ReplicaID names one worker in the fleet's markers and leases: host name,
// process id, and a random part, so that several workers in one process
// (tests, the benchmark) are told apart too.
func ReplicaID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%08x", host, os.Getpid(), rand.Uint32())
}
