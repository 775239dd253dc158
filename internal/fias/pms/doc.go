// Package pms is a FIAS PMS simulator: a TCP server that plays a hotel
// PMS's interface (IFC) toward pbxlink's FIAS link. It runs the link
// handshake, sends guest traffic (check-ins, sharers, moves, changes,
// check-outs, do-not-disturb, database swaps), drops links, answers
// postings (PS) with PA and records them.
//
// It keeps the PMS's view of every room; a test compares what pbxlink
// published with [Server.View]. Delivery is at least once, as a PMS
// buffering through link failures: records are sent in batches, each
// followed by an LS used as an alive check (FIAS allows it); the answer
// (LD, LR…, LA) confirms the batch, since pbxlink answers only after it
// has stored every record before. Records not confirmed when a link
// breaks are sent again on the next one.
package pms
