package fias

import (
	"fmt"
	"sort"
	"strings"
)

// Rooms maps the PMS's room numbers to Zoom extensions and back. By
// default a room's extension is its number without leading zeros; Prefix
// puts digits before it (room 101, prefix "2" → 2101); Table names the
// extension of each room it lists, before any rule.
type Rooms struct {
	Prefix string
	Table  map[string]string
}

// ParseRoomTable parses "101=2101,102=2102" into a table.
func ParseRoomTable(s string) (map[string]string, error) {
	t := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		room, ext, ok := strings.Cut(pair, "=")
		room, ext = strings.TrimSpace(room), strings.TrimSpace(ext)
		if !ok || room == "" || ext == "" {
			return nil, fmt.Errorf("%q: want room=extension", pair)
		}
		if !isExtension(ext) {
			return nil, fmt.Errorf("%q: extension %q: want digits without a leading zero", pair, ext)
		}
		t[room] = ext
	}
	return t, nil
}

// validate checks the prefix and the table.
func (m Rooms) validate() error {
	for _, c := range m.Prefix {
		if c < '0' || c > '9' {
			return fmt.Errorf("room prefix %q: want digits", m.Prefix)
		}
	}
	if strings.HasPrefix(m.Prefix, "0") {
		return fmt.Errorf("room prefix %q: an extension has no leading zero", m.Prefix)
	}
	for room, ext := range m.Table {
		if !isExtension(ext) {
			return fmt.Errorf("room table: room %q: extension %q: want digits without a leading zero", room, ext)
		}
	}
	return nil
}

// Extension returns the extension of room, or an error saying why it has
// none (a room number with letters and no table entry, say).
func (m Rooms) Extension(room string) (string, error) {
	room = strings.TrimSpace(room)
	if ext, ok := m.Table[room]; ok {
		return ext, nil
	}
	digits := strings.TrimLeft(room, "0")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return "", fmt.Errorf("room %q has no extension: not a number, and not in the room table", room)
	}
	ext := m.Prefix + digits
	if !isExtension(ext) {
		return "", fmt.Errorf("room %q has no extension", room)
	}
	return ext, nil
}

// Room returns the room whose extension is ext, and whether there is one:
// the table first, then the prefix rule.
func (m Rooms) Room(ext string) (string, bool) {
	rooms := make([]string, 0, len(m.Table))
	for room := range m.Table {
		rooms = append(rooms, room)
	}
	sort.Strings(rooms)
	for _, room := range rooms {
		if m.Table[room] == ext {
			return room, true
		}
	}
	if !strings.HasPrefix(ext, m.Prefix) {
		return "", false
	}
	room := strings.TrimPrefix(ext, m.Prefix)
	if room == "" || strings.HasPrefix(room, "0") || strings.TrimLeft(room, "0123456789") != "" {
		return "", false
	}
	if _, taken := m.Table[room]; taken {
		return "", false // that room's extension is the table's
	}
	return room, true
}

// isExtension: digits, no leading zero, as the contract's subjects want.
func isExtension(s string) bool {
	return s != "" && s[0] != '0' && strings.TrimLeft(s, "0123456789") == ""
}
