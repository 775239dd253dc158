package consumer_test

import (
	"flag"
	"os"
	"testing"
)

// defaultParallel is how many parallel tests of this package run at once
// unless -parallel says otherwise. The tests spend their time waiting (a
// fetch's one-second wait when a worker stops, retry intervals, lookups
// spread at one a second), not computing: a whole run keeps about a third
// of one core busy. go test's default, GOMAXPROCS (2 on CI), would leave
// the cores idle most of the time; every parallel test has its own NATS
// server and simulator, so more at once share nothing.
const defaultParallel = "8"

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", defaultParallel); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
