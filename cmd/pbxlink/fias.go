package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/pbxlink/pbxlink/internal/fias"
	"github.com/pbxlink/pbxlink/internal/setting"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func init() {
	register("fias", "the FIAS link: connect to an OPERA-style PMS interface and publish its guest records", fiasCmd)
}

// fiasNames: the NATS connection settings and the log format are those of
// pbxlink run (PBXLINK_NATS_URL …); the link's own are PBXLINK_FIAS_*.
var fiasNames = setting.Prefixes(func(f string) bool {
	return strings.HasPrefix(f, "nats-") || f == "log-format" || f == "timezone"
}, envPrefix, envPrefix+"FIAS_")

const fiasSynopsis = `Usage: pbxlink fias --address HOST:PORT [flags]

Connects, as FIAS's TCP client, to the PMS interface (OPERA's IFC) at
--address, answers its link start (LS) with LD (interface family PB),
one LR per record it wants and LA, turns guest records (GI, GC, GO, RE DN,
database swaps DS … DE) into pbxlink events on NATS, and posts outgoing
calls from PBXLINK_CALLS to the PMS as PS charges. Run it on several hosts
for high availability: one replica at a time holds the link, through a
lease in NATS, and another takes over within seconds when it dies.`

type fiasSettings struct {
	nats                             natsSettings
	address, link, charset, version  string
	roomPrefix, roomMap, vip, holder string
	timezone, httpListen, logFormat  string
	leaseTTL, keepAlive, answer      time.Duration
	postings, debug                  bool
}

func fiasCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fias", stdout)
	var s fiasSettings
	s.nats.clientFlags(fs)
	host, _ := os.Hostname()
	fs.StringVar(&s.address, "address", "", "the PMS interface's TCP address, host:port (required)")
	fs.StringVar(&s.link, "link", "pms", "the link's name: events' source fias/<link>, its state and lease keys")
	fs.StringVar(&s.charset, "charset", "latin1", "the records' character set: latin1 or utf-8, as the interface is set up")
	fs.StringVar(&s.version, "interface-version", fias.DefaultVersion, "the version (V#) announced in LD")
	fs.StringVar(&s.roomPrefix, "room-prefix", "", "digits put before a room number to make its extension (room 101, prefix 2: 2101)")
	fs.StringVar(&s.roomMap, "room-map", "", "room=extension pairs, comma-separated, for rooms the rule does not fit (12A=3120)")
	fs.StringVar(&s.vip, "vip", "marker", "VIP codes (GV): marker (any code but 0 shows VIP) or raw (the code itself)")
	fs.StringVar(&s.holder, "holder", fmt.Sprintf("%s-%d", host, os.Getpid()), "this replica's name in the link's lease")
	fs.StringVar(&s.timezone, "timezone", "", "the hotel's IANA time zone, for the postings' date and time (default: the host's)")
	fs.StringVar(&s.httpListen, "http-listen", "127.0.0.1:9091", "/livez, /readyz (the link) and /metrics; empty: none")
	fs.StringVar(&s.logFormat, "log-format", "auto", "text, json or auto")
	fs.DurationVar(&s.leaseTTL, "lease-ttl", fias.DefaultLeaseTTL, "another replica takes the link over this long after its holder stopped")
	fs.DurationVar(&s.keepAlive, "keepalive", fias.DefaultKeepAlive, "interval of the link-alive (LA) records while idle")
	fs.DurationVar(&s.answer, "answer-timeout", fias.DefaultAnswer, "how long the PMS may take to answer an LA or a posting")
	fs.BoolVar(&s.postings, "postings", true, "post outgoing calls from PBXLINK_CALLS (when call records are on) as PS charges")
	fs.BoolVar(&s.debug, "debug", false, "log every record's events with guest data")
	fs.Usage = setting.UsageNamed(fs, fiasNames, fiasSynopsis)
	if err := setting.ParseNamed(fs, fiasNames, args, nil); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	level := new(slog.LevelVar)
	if s.debug {
		level.Set(slog.LevelDebug)
	}
	log := newLogger(stderr, s.logFormat, level)
	nc, js, err := connectJetStream(s.nats, "pbxlink-fias", stderr)
	if err != nil {
		return err
	}
	defer nc.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cfg.JetStream, cfg.Logger, cfg.Metrics = js, log, fias.NewMetrics(reg)
	if s.postings {
		cfg.Postings = fias.NewCallSource(js, cfg.Rooms)
	}
	svc, err := fias.New(cfg)
	if err != nil {
		return err
	}
	if s.httpListen != "" {
		ln, err := net.Listen("tcp", s.httpListen)
		if err != nil {
			return problemFIAS("http-listen", "%v", err)
		}
		srv := &http.Server{Handler: fiasMux(svc, reg), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
	}
	log.Info("pbxlink fias running", "link", cfg.Link, "pms", cfg.Address, "holder", cfg.Holder)
	if err := svc.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// problemFIAS is a bad setting of pbxlink fias, naming flag and variable.
func problemFIAS(flagName, format string, args ...any) error {
	return &setting.Error{Msg: fmt.Sprintf("%s (--%s): %s", fiasNames(flagName), flagName, fmt.Sprintf(format, args...))}
}

// config checks the settings and makes the link's configuration.
func (s *fiasSettings) config() (fias.Config, error) {
	var c fias.Config
	if s.address == "" {
		return c, problemFIAS("address", "required: the PMS interface's host:port")
	}
	if _, _, err := net.SplitHostPort(s.address); err != nil {
		return c, problemFIAS("address", "%q: want host:port", s.address)
	}
	cs, err := fias.ParseCharset(s.charset)
	if err != nil {
		return c, problemFIAS("charset", "%v", err)
	}
	table, err := fias.ParseRoomTable(s.roomMap)
	if err != nil {
		return c, problemFIAS("room-map", "%v", err)
	}
	loc := time.Local
	if s.timezone != "" {
		if loc, err = time.LoadLocation(s.timezone); err != nil {
			return c, problemFIAS("timezone", "%q: not an IANA time zone", s.timezone)
		}
	}
	c = fias.Config{Address: s.address, Link: s.link, Charset: cs, Version: s.version,
		Rooms: fias.Rooms{Prefix: s.roomPrefix, Table: table}, VIP: fias.VIPMode(s.vip), Location: loc,
		Holder: s.holder, LeaseTTL: s.leaseTTL, KeepAlive: s.keepAlive, AnswerTimeout: s.answer}
	var ce *fias.ConfigError
	if err := c.WithDefaults().Validate(); errors.As(err, &ce) {
		flagName := map[string]string{"Link": "link", "Version": "interface-version", "VIP": "vip", "Rooms": "room-prefix",
			"Holder": "holder", "LeaseTTL": "lease-ttl", "KeepAlive": "keepalive"}[ce.Field]
		if flagName == "" {
			return c, err
		}
		return c, problemFIAS(flagName, "%s", ce.Msg)
	}
	return c, nil
}

// fiasMux serves /livez, /readyz (503 with the reason while the link
// holder's link is down) and /metrics.
func fiasMux(svc *fias.Service, reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(rw http.ResponseWriter, _ *http.Request) { fmt.Fprintln(rw, "ok") })
	mux.HandleFunc("GET /readyz", func(rw http.ResponseWriter, _ *http.Request) {
		st := svc.Status()
		if !st.Ready() {
			rw.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(rw, "not ready: FIAS link down:", st.Reason)
			return
		}
		if st.Holder {
			fmt.Fprintln(rw, "ready: FIAS link alive")
			return
		}
		fmt.Fprintln(rw, "ready: standby:", st.Reason)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}
