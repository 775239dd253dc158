package fias

// Scanner cuts a byte stream into records' data: everything between an
// STX and the next ETX. A record may arrive split over several reads and
// several records may share one; bytes outside a frame (line noise, a
// stray ETX, the start of a frame cut short by a new STX) are skipped and
// counted. A frame longer than MaxFrame is dropped whole.
type Scanner struct {
	// MaxFrame bounds a record's length; zero means DefaultMaxFrame.
	MaxFrame int

	buf     []byte
	inFrame bool
	over    bool
	skipped uint64
}

// DefaultMaxFrame is a record's longest length by default: far beyond a
// FIAS record's (a GI with every field is well under 2 KiB).
const DefaultMaxFrame = 16 << 10

// Feed takes the next bytes read and returns the data of every frame that
// they complete, in order. The returned slices are the caller's.
func (s *Scanner) Feed(p []byte) [][]byte {
	max := s.MaxFrame
	if max <= 0 {
		max = DefaultMaxFrame
	}
	var out [][]byte
	for _, b := range p {
		switch {
		case b == STX:
			if s.inFrame {
				// A frame cut short: its bytes are lost, the new one starts.
				s.skipped += uint64(len(s.buf)) + 1
			}
			s.inFrame, s.over, s.buf = true, false, s.buf[:0]
		case !s.inFrame:
			s.skipped++
		case b == ETX:
			if s.over {
				s.skipped += uint64(len(s.buf)) + 2
			} else {
				out = append(out, append([]byte(nil), s.buf...))
			}
			s.inFrame, s.over, s.buf = false, false, s.buf[:0]
		case s.over:
			s.skipped++
		case len(s.buf) >= max:
			s.over = true
			s.skipped++
		default:
			s.buf = append(s.buf, b)
		}
	}
	return out
}

// Skipped is the number of bytes skipped so far: outside frames, in frames
// cut short, and in frames over MaxFrame.
func (s *Scanner) Skipped() uint64 { return s.skipped }
