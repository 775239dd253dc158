package main

import (
	"io"
	"net"
	"sync"

	"github.com/pbxlink/pbxlink/internal/fias"
)

// fiasTap sits between the FIAS link and the PMS: it passes every byte on
// unchanged and keeps the PMS's guest records (all but the link records
// LS, LA, LD, LR, LE) as they go by, so that the demo shows the records
// actually on the wire.
type fiasTap struct {
	ln       net.Listener
	upstream string
	cs       fias.Charset
	wg       sync.WaitGroup

	mu    sync.Mutex
	recs  []fias.Record
	conns []net.Conn
}

// listenTap listens on a loopback port and forwards each connection to
// upstream.
func listenTap(upstream string, cs fias.Charset) (*fiasTap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &fiasTap{ln: ln, upstream: upstream, cs: cs}
	t.wg.Go(t.accept)
	return t, nil
}

func (t *fiasTap) addr() string { return t.ln.Addr().String() }

func (t *fiasTap) accept() {
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", t.upstream)
		if err != nil {
			_ = c.Close()
			continue
		}
		t.mu.Lock()
		t.conns = append(t.conns, c, u)
		t.mu.Unlock()
		t.wg.Go(func() {
			_, _ = io.Copy(u, c)
			_ = u.Close()
			_ = c.Close()
		})
		t.wg.Go(func() {
			t.watch(u, c)
			_ = u.Close()
			_ = c.Close()
		})
	}
}

// watch copies from the PMS to the link, keeping the guest records.
func (t *fiasTap) watch(from, to net.Conn) {
	var sc fias.Scanner
	buf := make([]byte, 4096)
	for {
		n, err := from.Read(buf)
		for _, f := range sc.Feed(buf[:n]) {
			r, perr := fias.ParseRecord(t.cs.Decode(f))
			if perr != nil {
				continue
			}
			switch r.ID {
			case "LS", "LA", "LD", "LR", "LE":
			default:
				t.mu.Lock()
				t.recs = append(t.recs, r)
				t.mu.Unlock()
			}
		}
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// since returns the guest records after the first i, and how many there
// are in all.
func (t *fiasTap) since(i int) ([]fias.Record, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]fias.Record(nil), t.recs[i:]...), len(t.recs)
}

// close stops the tap and breaks its connections.
func (t *fiasTap) close() {
	_ = t.ln.Close()
	t.mu.Lock()
	for _, c := range t.conns {
		_ = c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
}
