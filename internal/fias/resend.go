package fias

// resendFilter spots a PMS resending, at the start of a new connection,
// records that pbxlink applied before the old one broke: records gone out
// while the link was failing are resent by the PMS, and pbxlink may have
// applied some of them. FIAS records carry no sequence number, so the
// filter matches the new connection's first records against the digests
// of the records last applied (State.Recent): when they repeat exactly the
// end of that history, they are the resend and are dropped; as soon as
// they stop matching, they are new and are applied, the ones held back
// included, in order. Records that repeat exactly the end of what was
// applied leave every room as it is anyway, so dropping such a run can
// never lose a change.
type resendFilter struct {
	recent []string
	active bool
	held   []heldRecord
	cands  []int // next expected index into recent, per possible start
}

type heldRecord struct {
	rec    Record
	digest string
}

func newResendFilter(recent []string) *resendFilter {
	return &resendFilter{recent: recent, active: len(recent) > 0}
}

// offer takes the next data record. It returns the records to apply now,
// in order (none while it holds them back), and how many it dropped as
// resent.
func (f *resendFilter) offer(r Record, digest string) (apply []heldRecord, dropped int) {
	if !f.active {
		return []heldRecord{{r, digest}}, 0
	}
	var next []int
	if len(f.held) == 0 {
		for i, d := range f.recent {
			if d == digest {
				next = append(next, i+1)
			}
		}
	} else {
		for _, c := range f.cands {
			if c < len(f.recent) && f.recent[c] == digest {
				next = append(next, c+1)
			}
		}
	}
	if len(next) == 0 {
		return append(f.flush(), heldRecord{r, digest}), 0
	}
	f.held, f.cands = append(f.held, heldRecord{r, digest}), next
	for _, c := range next {
		if c == len(f.recent) { // the whole end of the history again
			n := len(f.held)
			f.held, f.cands, f.active = nil, nil, false
			return nil, n
		}
	}
	return nil, 0
}

// flush ends the matching when records are held back: they are new after
// all. With none held, the matching goes on (the handshake comes before
// the resend).
func (f *resendFilter) flush() []heldRecord {
	if len(f.held) == 0 {
		return nil
	}
	out := f.held
	f.held, f.cands, f.active = nil, nil, false
	return out
}
