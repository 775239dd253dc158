package zoomsim_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pbxlink/pbxlink/zoom"
	"github.com/pbxlink/pbxlink/zoom/zoomsim"
)

func TestConfigDefaults(t *testing.T) {
	c := zoomsim.Config{}.WithDefaults()
	if c.OAuthListen != "127.0.0.1:0" || c.APIListen != "127.0.0.1:0" || c.AccountID != "sim-account" || c.ClientID != "sim-client" ||
		c.ClientSecret != "sim-secret" || c.TokenTTL != 3599*time.Second || c.TokenMode != zoomsim.TokenModeMany || c.Plan != zoom.PlanPro ||
		c.PresenceAnswer != zoomsim.PresenceAnswer429 || c.PresenceInterval != time.Minute || c.PageTokenTTL != 15*time.Minute ||
		c.Seed == nil || c.Seed.Rooms != zoomsim.DefaultSeed().Rooms || c.Now == nil || c.RateLimitTypeQPS != "QPS" {
		t.Fatalf("defaults %+v", c)
	}
	if !slices.Equal(c.Scopes, zoomsim.AllScopes()) {
		t.Fatalf("scopes %v", c.Scopes)
	}
	if c := (zoomsim.Config{SeedFile: "x.json"}).WithDefaults(); c.Seed != nil {
		t.Fatal("a seed file got the default seed too")
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tt := range []struct {
		field string
		cfg   zoomsim.Config
	}{
		{"Config.OAuthListen", zoomsim.Config{OAuthListen: "nowhere"}},
		{"Config.ClientSecret", zoomsim.Config{ClientSecret: " "}},
		{"Config.Scopes", zoomsim.Config{Scopes: []string{"a b"}}},
		{"Config.TokenTTL", zoomsim.Config{TokenTTL: time.Millisecond}},
		{"Config.TokenMode", zoomsim.Config{TokenMode: "one"}},
		{"Config.APIURLOverride", zoomsim.Config{APIURLOverride: "api.zoom.us"}},
		{"Config.InvalidClientStatus", zoomsim.Config{InvalidClientStatus: 403}},
		{"Config.Plan", zoomsim.Config{Plan: "free"}},
		{"Config.Limits", zoomsim.Config{Limits: map[zoom.Bucket]zoom.Limit{mainLight: {Count: 0, Per: time.Second}}}},
		{"Config.RetryAfter", zoomsim.Config{RetryAfter: "never"}},
		{"Config.PresenceAnswer", zoomsim.Config{PresenceAnswer: "418"}},
		{"Config.BannedWords", zoomsim.Config{BannedWords: []string{""}}},
		{"Seed.Target", zoomsim.Config{Seed: &zoomsim.Seed{Target: "rooms"}}},
		{"Seed.Rooms", zoomsim.Config{Seed: &zoomsim.Seed{Rooms: -1}}},
		{"Seed.FirstExtension", zoomsim.Config{Seed: &zoomsim.Seed{Rooms: 10, FirstExtension: 8995, Staff: 2}}},
		{"Config.Faults.ErrorRate", zoomsim.Config{Faults: zoomsim.Faults{ErrorRate: 1.5}}},
		{"Config.JournalLimit", zoomsim.Config{JournalLimit: -1}},
	} {
		_, err := zoomsim.New(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: error %v does not name the field", tt.field, err)
		}
	}
}

func TestStartErrors(t *testing.T) {
	s := start(t, zoomsim.Config{Seed: &zoomsim.Seed{}})
	if err := s.Start(); err == nil {
		t.Fatal("second Start accepted")
	}
	busy := strings.TrimPrefix(s.APIURL(), "http://")
	other, err := zoomsim.New(zoomsim.Config{Seed: &zoomsim.Seed{}, APIListen: busy})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Start(); err == nil || !strings.Contains(err.Error(), "APIListen") {
		t.Fatalf("busy address: %v", err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterFlags(t *testing.T) {
	var c zoomsim.Config
	fs := flag.NewFlagSet("zoomsim", flag.ContinueOnError)
	c.RegisterFlags(fs)
	err := fs.Parse([]string{
		"--api-listen", "127.0.0.1:9999", "--scopes", "user:read:user:admin, phone:read:list_users:admin",
		"--token-mode", "latest-only", "--token-ttl", "10m", "--plan", "business", "--daily-limits=false",
		"--omit-ratelimit-headers", "--presence-answer", "5301", "--rooms", "3", "--first-extension", "500",
		"--target", "common_areas", "--phones-per-room", "2", "--voicemails-per-room", "4", "--call-records", "7",
		"--error-rate", "0.25", "--latency", "15ms", "--banned-words", "foo,bar", "--retry-after", "rfc3339",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.APIListen != "127.0.0.1:9999" || !slices.Equal(c.Scopes, []string{"user:read:user:admin", "phone:read:list_users:admin"}) ||
		c.TokenMode != zoomsim.TokenModeLatestOnly || c.TokenTTL != 10*time.Minute || c.Plan != zoom.PlanBusiness || !c.NoDailyLimits ||
		!c.OmitRateLimitHeaders || c.PresenceAnswer != zoomsim.PresenceAnswer5301 || c.Faults.ErrorRate != 0.25 ||
		c.Faults.Latency != 15*time.Millisecond || !slices.Equal(c.BannedWords, []string{"foo", "bar"}) || c.RetryAfter != zoomsim.RetryAfterRFC3339 {
		t.Fatalf("config %+v", c)
	}
	want := zoomsim.Seed{Rooms: 3, FirstExtension: 500, Target: zoomsim.TargetCommonAreas, PhonesPerRoom: 2, VoicemailsPerRoom: 4, CallRecords: 7, Staff: 2, Site: "Main"}
	if *c.Seed != want {
		t.Fatalf("seed %+v, want %+v", *c.Seed, want)
	}
	for _, bad := range [][]string{{"--token-mode", "some"}, {"--plan", "free"}, {"--target", "rooms"}, {"--presence-answer", "500"}} {
		fs := flag.NewFlagSet("zoomsim", flag.ContinueOnError)
		fs.SetOutput(&bytes.Buffer{})
		var c zoomsim.Config
		c.RegisterFlags(fs)
		if err := fs.Parse(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	var help bytes.Buffer
	fs = flag.NewFlagSet("zoomsim", flag.ContinueOnError)
	fs.SetOutput(&help)
	(&zoomsim.Config{}).RegisterFlags(fs)
	fs.PrintDefaults()
	for _, name := range []string{"oauth-listen", "api-listen", "account-id", "client-id", "client-secret", "scopes", "token-mode", "token-ttl",
		"plan", "unlimited", "omit-ratelimit-headers", "omit-api-url", "rooms", "first-extension", "target", "phones-per-room",
		"voicemails-per-room", "call-records", "seed-file", "error-rate", "latency", "presence-answer", "daily-limits"} {
		if !strings.Contains(help.String(), "-"+name) {
			t.Errorf("flag --%s missing", name)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if strings.TrimSpace(f.Usage) == "" {
			t.Errorf("flag --%s has no usage text", f.Name)
		}
	})
}

func TestHandlersWithHTTPTest(t *testing.T) {
	var api http.Handler
	apiTS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { api.ServeHTTP(w, r) }))
	defer apiTS.Close()
	s, err := zoomsim.New(zoomsim.Config{Seed: smallHotel(), APIURLOverride: apiTS.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	api = s.APIHandler()
	oauthTS := httptest.NewServer(s.OAuthHandler())
	defer oauthTS.Close()
	if s.APIURL() != "" || s.OAuthURL() != "" {
		t.Fatal("URLs without Start")
	}

	req, _ := http.NewRequest("POST", oauthTS.URL+"/oauth/token", strings.NewReader(goodForm().Encode()))
	req.SetBasicAuth("sim-client", "sim-secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tr tokenResp
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if tr.APIURL == nil || *tr.APIURL != apiTS.URL {
		t.Fatalf("api_url %v, want %s", tr.APIURL, apiTS.URL)
	}
	want200(t, doAPI(t, *tr.APIURL+"/v2/users", "GET", tr.AccessToken, nil), nil)
}
