// Package fleet makes any number of worker replicas act as one client of
// Zoom: one rate limit and one access token for the whole fleet, kept in a
// NATS key-value bucket and changed only with compare-and-swap. Nothing is
// leased to a replica, so a crashed replica strands no quota and holds no
// lock that others must wait out for long.
package fleet
