package zoomsim

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
)

// Server is a simulated Zoom: an OAuth host that mints Server-to-Server
// tokens and an API host that serves the operations of zoom.Operations()
// over one simulated account, under Zoom's rate limits, with injectable
// faults and full inspection. It is safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	acct   *account
	tokens *tokenStore
	grants *grantStore
	limit  *limiter
	pages  *pager
	faults *faultState
	stats  *stats
	jrnl   *journal
	routes []route

	oauthHandler, apiHandler http.Handler
	admin                    *http.ServeMux

	mu               sync.Mutex
	oauthSrv, apiSrv *http.Server
	oauthURL, apiURL string
	started, closed  bool
	serveErr         chan error
}

// New builds a simulator from cfg (after WithDefaults) and seeds its
// account. It does not listen yet; see Start, or serve OAuthHandler and
// APIHandler yourself.
func New(cfg Config) (*Server, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		log:    cfg.Logger,
		acct:   newAccount(cfg.AccountID),
		tokens: newTokenStore(),
		grants: newGrantStore(cfg.OAuthApp.RefuseConsent),
		limit:  newLimiter(cfg),
		pages:  newPager(cfg.PageTokenTTL),
		faults: newFaultState(cfg.Faults, cfg.RandSeed),
		stats:  newStats(cfg.Now),
		jrnl:   &journal{limit: cfg.JournalLimit},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.seed(); err != nil {
		return nil, err
	}
	handlers := s.handlers()
	for _, op := range zoom.Operations() {
		h, ok := handlers[op.ID]
		if !ok {
			return nil, fmt.Errorf("zoomsim: no handler for operation %s (%s %s)", op.ID, op.Method, op.Path)
		}
		s.routes = append(s.routes, newRoute(op, h))
	}
	s.admin = s.adminMux()
	s.oauthHandler = http.HandlerFunc(s.serveOAuth)
	s.apiHandler = http.HandlerFunc(s.serveAPI)
	return s, nil
}

func (s *Server) seed() error {
	now := s.cfg.Now()
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	if s.cfg.SeedFile != "" {
		st, err := LoadSeedFile(s.cfg.SeedFile)
		if err != nil {
			return err
		}
		if err := st.build(s.acct, now); err != nil {
			return fmt.Errorf("zoomsim: Config.SeedFile %s: %w", s.cfg.SeedFile, err)
		}
		return nil
	}
	if err := s.cfg.Seed.build(s.acct, now); err != nil {
		return fmt.Errorf("zoomsim: Config.Seed: %w", err)
	}
	return nil
}

// Start listens on Config.OAuthListen and Config.APIListen and serves until
// Close.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return errors.New("zoomsim: already started or closed")
	}
	ol, err := net.Listen("tcp", s.cfg.OAuthListen)
	if err != nil {
		return fmt.Errorf("zoomsim: OAuth listener (Config.OAuthListen %s): %w", s.cfg.OAuthListen, err)
	}
	al, err := net.Listen("tcp", s.cfg.APIListen)
	if err != nil {
		ol.Close()
		return fmt.Errorf("zoomsim: API listener (Config.APIListen %s): %w", s.cfg.APIListen, err)
	}
	s.started = true
	s.oauthURL, s.apiURL = "http://"+ol.Addr().String(), "http://"+al.Addr().String()
	s.oauthSrv = &http.Server{Handler: s.oauthHandler, ReadHeaderTimeout: 10 * time.Second}
	s.apiSrv = &http.Server{Handler: s.apiHandler, ReadHeaderTimeout: 10 * time.Second}
	s.serveErr = make(chan error, 2)
	for _, p := range []struct {
		srv *http.Server
		l   net.Listener
	}{{s.oauthSrv, ol}, {s.apiSrv, al}} {
		go func() {
			if err := p.srv.Serve(p.l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.serveErr <- err
			}
		}()
	}
	s.log.Info("zoom simulator listening", "oauth_url", s.oauthURL, "api_url", s.apiURL, "account_id", s.cfg.AccountID)
	return nil
}

// Close stops both listeners and aborts requests in flight. It is safe to
// call more than once, and before Start.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.closed {
		s.closed = true
		return nil
	}
	s.closed = true
	err := errors.Join(s.oauthSrv.Close(), s.apiSrv.Close())
	select {
	case e := <-s.serveErr:
		err = errors.Join(err, e)
	default:
	}
	return err
}

// OAuthURL is the OAuth host's base URL, such as http://127.0.0.1:40001
// (no trailing slash): the Zoom URL a client is configured with. Empty
// before Start.
func (s *Server) OAuthURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauthURL
}

// APIURL is the API host's base URL (no trailing slash, without /v2): the
// api_url of token responses. Empty before Start.
func (s *Server) APIURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiURL
}

// OAuthHandler serves POST /oauth/token, for use with httptest.
func (s *Server) OAuthHandler() http.Handler { return s.oauthHandler }

// APIHandler serves /v2/... and /_sim/..., for use with httptest. Without
// Start, set Config.APIURLOverride so that token responses name it.
func (s *Server) APIHandler() http.Handler { return s.apiHandler }

// Config returns the effective configuration (defaults applied).
func (s *Server) Config() Config { return s.cfg }

func (s *Server) now() time.Time { return s.cfg.Now() }
