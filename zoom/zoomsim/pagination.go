package zoomsim

import (
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// maxItems caps the items of one page below the page_size maximum where
// Zoom's response schema does (voice_mails: maxItems 100 although page_size
// may be 300). A client that follows next_page_token does not notice.
var maxItems = map[string]int{zoom.OpListVoicemails.ID: 100}

// pageState is a listing in progress: the IDs not yet returned, in order,
// and the filter the listing started with (later pages keep it, whatever
// their query says).
type pageState struct {
	op, owner string
	rest      []string
	total     int
	filter    any
	expires   time.Time
}

// pager issues and redeems next_page_tokens. A token stays valid until it
// expires (so a failed page can be fetched again), for one operation and
// owner only.
type pager struct {
	mu     sync.Mutex
	ttl    time.Duration
	tokens map[string]*pageState
}

func newPager(ttl time.Duration) *pager { return &pager{ttl: ttl, tokens: map[string]*pageState{}} }

// pageSize reads page_size: default 30, at most zoom.MaxPageSize(op). Above
// the maximum it is refused, or clamped when clamp is set.
func pageSize(q url.Values, opID string, clamp bool) (int, *apiError) {
	limit := zoom.MaxPageSize(opID)
	size := 30
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, errValidation("page_size")
		}
		if n > limit {
			if !clamp {
				return 0, errValidation("page_size")
			}
			n = limit
		}
		size = n
	}
	if m, ok := maxItems[opID]; ok {
		size = min(size, m)
	}
	return size, nil
}

// tokenErrorCode is the error code of a bad next_page_token: 300 on the main
// API, 400 on the Phone API (per the operations' documented errors).
func tokenErrorCode(op zoom.Operation) int {
	if op.Family == zoom.FamilyMain {
		return 300
	}
	return 400
}

// start returns the listing to serve: the one the query's next_page_token
// continues, or a new one built by first.
func (p *pager) start(q url.Values, op zoom.Operation, owner string, now time.Time, first func() pageState) (pageState, *apiError) {
	tok := q.Get("next_page_token")
	if tok == "" {
		st := first()
		st.op, st.owner, st.total = op.ID, owner, len(st.rest)
		return st, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.tokens[tok]
	if !ok || st.op != op.ID || st.owner != owner || !now.Before(st.expires) {
		return pageState{}, errPageToken(tokenErrorCode(op))
	}
	return *st, nil
}

// cut takes one page of IDs off st and returns them with the token of the
// rest ("" when nothing is left).
func (p *pager) cut(st pageState, size int, now time.Time) ([]string, string) {
	if len(st.rest) <= size {
		return st.rest, ""
	}
	page := st.rest[:size]
	next := st
	next.rest = st.rest[size:]
	next.expires = now.Add(p.ttl)
	tok := randomToken(24)
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, v := range p.tokens {
		if !now.Before(v.expires) {
			delete(p.tokens, k)
		}
	}
	p.tokens[tok] = &next
	return page, tok
}

// pageCount is ceil(total/size).
func pageCount(total, size int) int {
	if size <= 0 {
		return 0
	}
	return (total + size - 1) / size
}
