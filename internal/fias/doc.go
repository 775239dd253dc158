// Package fias is pbxlink's side of Oracle's FIAS interface (Fidelio
// Interface Application Specification, 2.20.x): the TCP link through which
// a hotel PMS (OPERA and many others) talks to its PBX.
//
// pbxlink is the TCP client; the PMS's interface (IFC) is the server. The
// package frames and parses records ([Record], [Scanner]), runs the link's
// state machine (LS, LD, LR, LA, LE), turns the PMS's guest records into
// pbxlink events published through package producer ([Service]), keeps
// every room's occupancy in a NATS key-value bucket so that sharers and
// moves come out right, and posts call charges back to the PMS (PS, PA)
// one at a time. Replicas elect one link holder through a NATS key-value
// lease (package lease, key [LeaseKey]), because the IFC accepts one client
// per port.
//
// The package never logs on its own; [Config.Logger] receives what an
// operator needs, with guest names only at debug level.
package fias
