// Package testenv is the tests' one deployment of pbxlink's parts: an
// embedded JetStream server on a free port with its store in the test's
// temporary directory, a connection, the Zoom simulator, the provisioned
// topology and a producer, each stopped when the test ends. It also waits
// on facts by polling (the worker consumer's ack floor, a readiness check,
// any condition) and fails the test saying what it waited for and what it
// last saw, so that no test sleeps and then asserts.
//
// It is used only from tests; no program imports it. It never builds a
// worker or the fleet's Zoom client: tests build those as the library's
// users do (consumer.New), or through the composition root.
package testenv
