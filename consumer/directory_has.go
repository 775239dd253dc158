package consumer

// Has reports whether ext is in the directory (as loaded or imported),
// without asking Zoom: the call-record poller keeps the calls of the
// extensions it has (the rooms).
func (d *directory) Has(ext string) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, ok := d.entries[ext]
	return ok
}
