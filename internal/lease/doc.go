// Package lease elects one holder among the replicas of a fleet for a
// piece of work that must not run twice at once: loading the directory
// from Zoom, the scheduled reconciliation, reading Zoom's call history, a
// FIAS link. A lease is one key in a JetStream key-value bucket (the
// fleet bucket) holding a [Record]: who holds it and until when.
//
// Every write is a compare-and-swap, so two contenders never both win. The
// holder renews by writing over its own last revision only; a renewal that
// finds another revision has lost the lease, and says so ([ErrLost],
// Config.OnLost). A contender takes the lease over only when it is free:
// released, already its own (the same holder name after a restart), or
// expired. A record has expired when its Until lies more than
// Config.ClockSkew in the past on the contender's clock, or, whatever the
// clocks say, when the contender has seen the same revision unchanged for a
// whole TTL on its own clock. The holder, for its part, gives the lease up
// when no renewal has succeeded for TTL/2. With Config.ClockSkew set to
// [SkewUnbounded] only the contender's own observation counts, so no clock
// difference between hosts can ever make two holders: the taker's TTL
// starts after the holder's last renewal, and the holder stopped TTL/2
// before it ends.
//
// The revision of the write that took the lease is its fencing token
// ([Lease.Token]): it grows with every new hold, so a store that remembers
// the highest token it has seen can refuse a former holder's late write.
// [Lease.Renew] is the holder's proof that it still holds the lease.
package lease
