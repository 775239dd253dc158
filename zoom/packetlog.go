package zoom

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// packetLogger is an http.RoundTripper that logs every request and response
// in full at debug level, with secrets masked. It checks the level on every
// call, so a slog.LevelVar behind the logger switches it at run time; with
// debug off it costs one Enabled call.
type packetLogger struct {
	next   http.RoundTripper
	log    *slog.Logger
	secret string // the client secret, masked wherever it appears
}

const mask = "***"

// sensitiveJSON matches the values of JSON keys that carry credentials.
var sensitiveJSON = regexp.MustCompile(`("(?:access_token|refresh_token|client_secret|id_token|password)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// sensitiveForm matches credentials in a query string or form body.
var sensitiveForm = regexp.MustCompile(`((?:^|[?&])(?:access_token|client_secret|refresh_token)=)[^&]*`)

func (p *packetLogger) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if p.log == nil || !p.log.Enabled(ctx, slog.LevelDebug) {
		return p.next.RoundTrip(req)
	}
	reqBody, err := snapshotBody(&req.Body)
	if err != nil {
		return nil, err
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "zoom request",
		slog.String("method", req.Method),
		slog.String("url", p.scrub(req.URL.String())),
		slog.Any("headers", p.headers(req.Header)),
		slog.String("body", p.scrub(string(reqBody))))
	start := time.Now()
	resp, err := p.next.RoundTrip(req)
	if err != nil {
		p.log.LogAttrs(ctx, slog.LevelDebug, "zoom response",
			slog.String("method", req.Method), slog.String("url", p.scrub(req.URL.String())),
			slog.Duration("elapsed", time.Since(start)), slog.String("error", p.scrub(err.Error())))
		return nil, err
	}
	respBody, err := snapshotBody(&resp.Body)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "zoom response",
		slog.String("method", req.Method),
		slog.String("url", p.scrub(req.URL.String())),
		slog.Int("status", resp.StatusCode),
		slog.Duration("elapsed", time.Since(start)),
		slog.Any("headers", p.headers(resp.Header)),
		slog.String("body", p.scrub(string(respBody))))
	return resp, nil
}

// snapshotBody reads a body and puts an identical reader back.
func snapshotBody(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*body)
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

func (p *packetLogger) headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		v := strings.Join(vs, ", ")
		switch strings.ToLower(k) {
		case "authorization", "proxy-authorization":
			scheme, _, _ := strings.Cut(v, " ")
			v = scheme + " " + mask
		case "cookie", "set-cookie":
			v = mask
		default:
			v = p.scrub(v)
		}
		out[k] = v
	}
	return out
}

// scrub masks credentials in text: JSON token fields, form and query
// parameters, and the client secret wherever it appears.
func (p *packetLogger) scrub(s string) string {
	s = sensitiveJSON.ReplaceAllString(s, `$1"`+mask+`"`)
	s = sensitiveForm.ReplaceAllString(s, "${1}"+mask)
	if p.secret != "" {
		s = strings.ReplaceAll(s, p.secret, mask)
	}
	return s
}
