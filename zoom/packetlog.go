package zoom

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// packetLogger is an http.RoundTripper that logs every request and response
// in full at debug level, with secrets masked. It checks the level on every
// call, so a slog.LevelVar behind the logger switches it at run time; with
// debug off it costs one Enabled call.
type packetLogger struct {
	next   http.RoundTripper
	log    *slog.Logger
	secret string // the client secret, masked wherever it appears
	// limit is the most of a body the logger reads (the client's own cap):
	// the caller gets the rest unread.
	limit int64
}

const mask = "***"

// maxLogged is the most of a body one log line holds.
const maxLogged = 4 << 10

// sensitiveJSON matches the values of JSON keys that carry credentials.
var sensitiveJSON = regexp.MustCompile(`("(?:access_token|refresh_token|client_secret|id_token|password)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// sensitiveForm matches credentials in a query string or form body.
var sensitiveForm = regexp.MustCompile(`((?:^|[?&])(?:access_token|client_secret|refresh_token|code)=)[^&]*`)

func (p *packetLogger) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if p.log == nil || !p.log.Enabled(ctx, slog.LevelDebug) {
		return p.next.RoundTrip(req)
	}
	m := masker{secret: p.secret}
	if scheme, tok, ok := strings.Cut(req.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		m.token = strings.TrimSpace(tok) // masked literally wherever it comes back
	}
	limit := p.limit
	if limit <= 0 {
		limit = maxBody
	}
	reqBody, err := snapshotBody(&req.Body, limit)
	if err != nil {
		return nil, err
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "zoom request",
		slog.String("method", req.Method),
		slog.String("url", m.scrub(req.URL.String())),
		slog.Any("headers", m.headers(req.Header)),
		slog.String("body", m.body(reqBody)))
	start := time.Now()
	resp, err := p.next.RoundTrip(req)
	if err != nil {
		p.log.LogAttrs(ctx, slog.LevelDebug, "zoom response",
			slog.String("method", req.Method), slog.String("url", m.scrub(req.URL.String())),
			slog.Duration("elapsed", time.Since(start)), slog.String("error", m.scrub(err.Error())))
		return nil, err
	}
	respBody, err := snapshotBody(&resp.Body, limit)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "zoom response",
		slog.String("method", req.Method),
		slog.String("url", m.scrub(req.URL.String())),
		slog.Int("status", resp.StatusCode),
		slog.Duration("elapsed", time.Since(start)),
		slog.Any("headers", m.headers(resp.Header)),
		slog.String("body", m.body(respBody)))
	return resp, nil
}

// snapshotBody reads at most limit bytes of a body and puts back a reader
// that yields exactly what the original would have: the bytes read, then
// the unread rest.
func snapshotBody(body *io.ReadCloser, limit int64) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	orig := *body
	b, err := io.ReadAll(io.LimitReader(orig, limit))
	if err != nil {
		orig.Close()
		*body = io.NopCloser(bytes.NewReader(b))
		return b, err
	}
	*body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), orig), orig}
	return b, nil
}

// masker hides the credentials of one exchange.
type masker struct {
	secret string // the client secret
	token  string // the bearer token of the request
}

func (m masker) headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		v := strings.Join(vs, ", ")
		switch strings.ToLower(k) {
		case "authorization", "proxy-authorization", "cookie", "set-cookie":
			v = mask
		default:
			v = m.scrub(v)
		}
		out[k] = v
	}
	return out
}

// body is a body as logged: scrubbed, and cut to maxLogged bytes.
func (m masker) body(b []byte) string {
	s := m.scrub(string(b))
	if len(s) <= maxLogged {
		return s
	}
	cut := maxLogged
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…[" + strconv.Itoa(len(s)-cut) + " more bytes]"
}

// scrub masks credentials in text: JSON token fields, form and query
// parameters, and the client secret and the bearer token wherever they
// appear.
func (m masker) scrub(s string) string {
	s = sensitiveJSON.ReplaceAllString(s, `$1"`+mask+`"`)
	s = sensitiveForm.ReplaceAllString(s, "${1}"+mask)
	for _, lit := range []string{m.secret, m.token} {
		if lit != "" {
			s = strings.ReplaceAll(s, lit, mask)
		}
	}
	return s
}
