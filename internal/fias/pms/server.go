package pms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/internal/fias"
)

// Config configures a Server.
type Config struct {
	// Charset of the records. Default fias.Latin1.
	Charset fias.Charset
	// Batch is how many records go out before an alive check. Default 20.
	Batch int
	// AnswerTimeout bounds the wait for the client's answers. Default 5 s.
	AnswerTimeout time.Duration
	// PADelay delays the PA answering each posting.
	PADelay time.Duration
	// DropAtPS breaks the link, unanswered, when the PS with this ordinal
	// (1 = the first received) arrives; 0 never.
	DropAtPS int
	// Noise puts stray bytes between records, as a noisy line would.
	Noise bool
	// Logger; default discard.
	Logger *slog.Logger
}

// Guest is a guest as the PMS knows it, with FIAS's codes (VIP "0"…"9",
// language "EA", "GE" …).
type Guest struct {
	Reservation, Last, First, Title, VIP, Language string
}

// Posting is a PS the PMS received.
type Posting struct {
	Number, Room, Type, Dialled, Duration, Date, Time string
}

// Server is the simulated PMS interface.
type Server struct {
	cfg Config
	ln  net.Listener

	mu        sync.Mutex
	rooms     map[string][]Guest
	dnd       map[string]bool
	outbox    []fias.Record
	confirmed int
	conn      net.Conn
	wake      chan struct{}
	delivered chan struct{}
	postings  []Posting
	seenP     map[string]bool
	resent    int
	links     int
	lastLR    []fias.Record
	drs       int
	ls        int
	swaps     int
	psSeen    int
	inFlight  int
	maxFlight int
	wg        sync.WaitGroup
}

// Listen starts a server on addr ("127.0.0.1:0" for any port).
func Listen(addr string, cfg Config) (*Server, error) {
	if cfg.Charset == "" {
		cfg.Charset = fias.Latin1
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.AnswerTimeout <= 0 {
		cfg.AnswerTimeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, ln: ln, rooms: map[string][]Guest{}, dnd: map[string]bool{},
		wake: make(chan struct{}, 1), delivered: make(chan struct{}), seenP: map[string]bool{}}
	s.wg.Go(s.accept)
	return s, nil
}

// Addr is the server's address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server and its link.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.Drop()
	s.wg.Wait()
	return err
}

// Drop breaks the current link, as a failing network would.
func (s *Server) Drop() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// accept serves one client at a time: a new connection drops the older
// one, as the IFC does.
func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		old := s.conn
		s.conn = c
		s.mu.Unlock()
		if old != nil {
			_ = old.Close()
		}
		s.wg.Go(func() { s.serve(c) })
	}
}

func (s *Server) send(c net.Conn, r fias.Record) error {
	frame := s.cfg.Charset.Frame(r)
	if s.cfg.Noise {
		frame = append([]byte("\r\n\x03junk"), frame...)
	}
	_ = c.SetWriteDeadline(time.Now().Add(s.cfg.AnswerTimeout))
	_, err := c.Write(frame)
	return err
}

func now() []string {
	t := time.Now()
	return []string{"DA", t.Format("060102"), "TI", t.Format("150405")}
}

// serve runs one link.
func (s *Server) serve(c net.Conn) {
	defer c.Close()
	recs := make(chan fias.Record, 64)
	go func() {
		defer close(recs)
		var sc fias.Scanner
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			for _, f := range sc.Feed(buf[:n]) {
				if r, perr := fias.ParseRecord(s.cfg.Charset.Decode(f)); perr == nil {
					recs <- r
				}
			}
			if err != nil {
				return
			}
		}
	}()
	if s.send(c, fias.NewRecord("LS", now()...)) != nil {
		return
	}
	var (
		alive      bool
		checking   bool // an LS went out as alive check; its answer confirms up to sentTo
		handshake  []fias.Record
		checkSince time.Time
		sentTo     int
	)
	type duePA struct {
		rec fias.Record
		at  time.Time
	}
	var pas []duePA
	defer func() {
		s.mu.Lock()
		s.inFlight -= len(pas)
		s.mu.Unlock()
	}()
	s.mu.Lock()
	pos := s.confirmed
	s.mu.Unlock()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if alive && !checking {
			s.mu.Lock()
			end := min(len(s.outbox), pos+s.cfg.Batch)
			batch := slices.Clone(s.outbox[pos:end])
			s.mu.Unlock()
			if len(batch) > 0 {
				for _, r := range batch {
					if s.send(c, r) != nil {
						return
					}
				}
				sentTo, pos = end, end
				if s.send(c, fias.NewRecord("LS", now()...)) != nil {
					return
				}
				s.mu.Lock()
				s.ls++
				s.mu.Unlock()
				checking, checkSince, handshake = true, time.Now(), nil
			}
		}
		select {
		case r, ok := <-recs:
			if !ok {
				return
			}
			switch r.ID {
			case "LS":
				if s.send(c, fias.NewRecord("LS", now()...)) != nil {
					return
				}
			case "LD":
				handshake = []fias.Record{r}
			case "LR":
				handshake = append(handshake, r)
			case "LA":
				if s.send(c, fias.NewRecord("LA", now()...)) != nil {
					return
				}
				if len(handshake) == 0 {
					continue // a keep-alive
				}
				s.mu.Lock()
				s.lastLR = slices.Clone(handshake[1:])
				if !alive {
					s.links++
				}
				if checking && sentTo > s.confirmed {
					s.confirmed = sentTo
					s.signalDelivered()
				}
				s.mu.Unlock()
				alive, checking, handshake = true, false, nil
			case "PS":
				s.mu.Lock()
				s.psSeen++
				drop := s.psSeen == s.cfg.DropAtPS
				s.inFlight++
				s.maxFlight = max(s.maxFlight, s.inFlight)
				s.mu.Unlock()
				if drop { // the PMS books it, but the PA never goes out
					s.posting(r)
					s.mu.Lock()
					s.inFlight--
					s.mu.Unlock()
					return
				}
				s.posting(r)
				pas = append(pas, duePA{fias.NewRecord("PA", append([]string{"RN", r.Value("RN"), "AS", "OK", "P#", r.Value("P#")}, now()...)...), time.Now().Add(s.cfg.PADelay)})
			case "DR":
				s.mu.Lock()
				s.drs++
				s.swapLocked()
				s.mu.Unlock()
			case "LE":
				return
			}
		case <-s.wake:
		case <-tick.C:
			for len(pas) > 0 && !time.Now().Before(pas[0].at) {
				if s.send(c, pas[0].rec) != nil {
					return
				}
				pas = pas[1:]
				s.mu.Lock()
				s.inFlight--
				s.mu.Unlock()
			}
			if checking && time.Since(checkSince) > s.cfg.AnswerTimeout {
				s.cfg.Logger.Warn("FIAS PMS simulator: no answer to the alive check; dropping the link")
				return
			}
		}
	}
}

// signalDelivered wakes WaitDelivered; called with mu held.
func (s *Server) signalDelivered() {
	close(s.delivered)
	s.delivered = make(chan struct{})
}

func (s *Server) posting(r fias.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := r.Value("P#")
	if s.seenP[n] {
		s.resent++
		return
	}
	s.seenP[n] = true
	s.postings = append(s.postings, Posting{Number: n, Room: r.Value("RN"), Type: r.Value("PT"), Dialled: r.Value("DD"),
		Duration: r.Value("DU"), Date: r.Value("DA"), Time: r.Value("TI")})
}

// enqueue adds records to send; called with mu held.
func (s *Server) enqueueLocked(rs ...fias.Record) {
	s.outbox = append(s.outbox, rs...)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// WaitDelivered waits until every record so far was confirmed by pbxlink.
func (s *Server) WaitDelivered(ctx context.Context) error {
	for {
		s.mu.Lock()
		done, ch := s.confirmed >= len(s.outbox), s.delivered
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("PMS simulator: records not confirmed: %w", ctx.Err())
		case <-ch:
		}
	}
}

// Stats of a server.
type Stats struct {
	// Links is how many links came alive; AliveChecks how many LS went out
	// as alive checks; DRs how many swaps pbxlink asked for; Swaps how many
	// swaps were sent.
	Links, AliveChecks, DRs, Swaps int
	// Sent and Confirmed count records.
	Sent, Confirmed int
	// PostingResends counts PS received again under a number already posted.
	PostingResends int
	// MaxPostingsInFlight is the most PS received and not yet answered at once.
	MaxPostingsInFlight int
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Links: s.links, AliveChecks: s.ls, DRs: s.drs, Swaps: s.swaps, Sent: len(s.outbox), Confirmed: s.confirmed, PostingResends: s.resent, MaxPostingsInFlight: s.maxFlight}
}

// LinkRecords returns the LR records of the last handshake.
func (s *Server) LinkRecords() []fias.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lastLR)
}

// Postings returns the postings received, each once, in order.
func (s *Server) Postings() []Posting {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.postings)
}

// View returns the PMS's view: each occupied room's guests, the first the
// one the room's extension shows.
func (s *Server) View() map[string][]Guest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]Guest, len(s.rooms))
	for r, gs := range s.rooms {
		if len(gs) > 0 {
			out[r] = slices.Clone(gs)
		}
	}
	return out
}

// DND returns the rooms whose do-not-disturb is on.
func (s *Server) DND() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for r, on := range s.dnd {
		if on {
			out[r] = true
		}
	}
	return out
}

// ErrNotFound: the guest or room is not where the operation expects it.
var ErrNotFound = errors.New("PMS simulator: no such guest")

func guestFields(g Guest) []string {
	return []string{"G#", g.Reservation, "GN", g.Last, "GF", g.First, "GT", g.Title, "GL", g.Language, "GV", g.VIP}
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// CheckIn checks g in to room: GI, a sharer (GS Y) when someone is in.
func (s *Server) CheckIn(room string, g Guest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	share := len(s.rooms[room]) > 0
	s.rooms[room] = append(s.rooms[room], g)
	s.enqueueLocked(fias.NewRecord("GI", append(append([]string{"RN", room}, guestFields(g)...), "GS", yn(share))...))
}

// Change changes a guest's last and first name: GC with those fields.
func (s *Server) Change(room, res, last, first string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.rooms[room], func(g Guest) bool { return g.Reservation == res })
	if i < 0 {
		return ErrNotFound
	}
	s.rooms[room][i].Last, s.rooms[room][i].First = last, first
	s.enqueueLocked(fias.NewRecord("GC", "RN", room, "G#", res, "GN", last, "GF", first))
	return nil
}

// Move moves a guest from one room to another: GC with RO.
func (s *Server) Move(res, from, to string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.rooms[from], func(g Guest) bool { return g.Reservation == res })
	if i < 0 || from == to {
		return ErrNotFound
	}
	g := s.rooms[from][i]
	s.rooms[from] = slices.Delete(s.rooms[from], i, i+1)
	shareNew := len(s.rooms[to]) > 0
	s.rooms[to] = append(s.rooms[to], g)
	f := append([]string{"RN", to, "GS", yn(shareNew)}, guestFields(g)...)
	f = append(f, "RO", from, "GS", yn(len(s.rooms[from]) > 0))
	s.enqueueLocked(fias.NewRecord("GC", f...))
	if len(s.rooms[from]) == 0 {
		delete(s.rooms, from)
		s.dnd[from] = false
	}
	return nil
}

// CheckOut checks a guest out: GO.
func (s *Server) CheckOut(room, res string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.rooms[room], func(g Guest) bool { return g.Reservation == res })
	if i < 0 {
		return ErrNotFound
	}
	s.rooms[room] = slices.Delete(s.rooms[room], i, i+1)
	s.enqueueLocked(fias.NewRecord("GO", "RN", room, "G#", res, "GS", yn(len(s.rooms[room]) > 0)))
	if len(s.rooms[room]) == 0 {
		delete(s.rooms, room)
		s.dnd[room] = false
	}
	return nil
}

// SetDND sends RE with DN.
func (s *Server) SetDND(room string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dnd[room] = on
	s.enqueueLocked(fias.NewRecord("RE", "RN", room, "DN", yn(on)))
}

// Swap sends a database swap: DS, a GI with SF for every guest, DE.
func (s *Server) Swap() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.swapLocked()
}

func (s *Server) swapLocked() {
	s.swaps++
	recs := []fias.Record{fias.NewRecord("DS", now()...)}
	rooms := make([]string, 0, len(s.rooms))
	for r := range s.rooms {
		rooms = append(rooms, r)
	}
	slices.Sort(rooms)
	for _, r := range rooms {
		for i, g := range s.rooms[r] {
			f := append(append([]string{"RN", r}, guestFields(g)...), "GS", yn(i > 0), "SF")
			recs = append(recs, fias.NewRecord("GI", f...))
		}
	}
	s.enqueueLocked(append(recs, fias.NewRecord("DE", now()...))...)
}

// Forget makes the PMS lose a guest without telling pbxlink (a record lost
// on the PMS side): only a swap brings pbxlink back to its view.
func (s *Server) Forget(room string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rooms, room)
}

// Raw queues a record as given (tests of odd records).
func (s *Server) Raw(r fias.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enqueueLocked(r)
}

// Occupied returns the occupied rooms, sorted.
func (s *Server) Occupied() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for r, gs := range s.rooms {
		if len(gs) > 0 {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}
