package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pbxlink/pbxlink/internal/app"
)

// TestSettingNamed: the app's settings errors ("--flag: …", also inside a
// wrapping message) and the libraries' field errors come out naming the
// variable and the flag, one line each, and errors.As still finds the
// app's error.
func TestSettingNamed(t *testing.T) {
	err := errors.Join(
		&app.FlagError{Flag: "http-listen", Err: errors.New("listen tcp 127.0.0.1:9090: address already in use")},
		fmt.Errorf("call records: %w", &app.FlagError{Flag: "call-db", Err: errors.New("no such host")}),
		errors.New("zoom: Config.URL: not a URL"),
	)
	got := settingNamed(err)
	want := "PBXLINK_HTTP_LISTEN (--http-listen): listen tcp 127.0.0.1:9090: address already in use\n" +
		"call records: PBXLINK_CALL_DB (--call-db): no such host\n" +
		"PBXLINK_ZOOM_URL (--zoom-url): not a URL"
	if got.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var fe *app.FlagError
	if !errors.As(got, &fe) || fe.Flag != "http-listen" {
		t.Errorf("errors.As lost the *app.FlagError: %v", fe)
	}
	if settingNamed(nil) != nil {
		t.Error("settingNamed(nil) is not nil")
	}
}
