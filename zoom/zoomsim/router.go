package zoomsim

import (
	"net/url"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// call is one API request as a handler sees it.
type call struct {
	op     zoom.Operation
	params map[string]string // path parameters, unescaped
	query  url.Values
	body   []byte
	now    time.Time
	// me is the user ID that "me" stands for in a path: the consenting
	// admin of an authorization-code token; empty for Server-to-Server.
	me string
}

// handlerFunc serves one operation: a status with a body to encode as JSON
// (nil for 204), or an error answer.
type handlerFunc func(c *call) (int, any, *apiError)

// route is an operation's path template split into segments; "{x}" segments
// match any one non-empty segment.
type route struct {
	op     zoom.Operation
	segs   []string
	handle handlerFunc
}

func newRoute(op zoom.Operation, h handlerFunc) route {
	return route{op: op, segs: strings.Split(strings.Trim(op.Path, "/"), "/"), handle: h}
}

// match returns the route of a method and an escaped path below /v2, with
// its path parameters.
func match(routes []route, method, escapedPath string) (*route, map[string]string) {
	rest, ok := strings.CutPrefix(escapedPath, "/v2/")
	if !ok {
		return nil, nil
	}
	segs := strings.Split(rest, "/")
	for i := range routes {
		r := &routes[i]
		if r.op.Method != method || len(r.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for j, s := range r.segs {
			if name, isParam := strings.CutPrefix(s, "{"); isParam {
				v, err := url.PathUnescape(segs[j])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[strings.TrimSuffix(name, "}")] = v
			} else if s != segs[j] {
				ok = false
				break
			}
		}
		if ok {
			return r, params
		}
	}
	return nil, nil
}
