package ui

import (
	"path/filepath"

	"fhirscope/ui/records"
)

// OfflineOptions are the app options for `fhirscope open FILE`: no server, no profile, the
// file's entries in the search results table (and the inspector from there). The file is
// mapped, not read into widgets: the first rows show while the rest is still being indexed.
// Problems visible at once (missing file, not JSON) are returned; later ones (a truncated
// file) show on screen with the entries before them still usable. close releases the file.
func OfflineOptions(path string, noMouse bool) (opts Options, close func(), err error) {
	src, err := records.OpenFile(path)
	if err != nil {
		return Options{}, nil, err
	}
	name := filepath.Base(path)
	opts = Options{
		Offline: name,
		NoMouse: noMouse,
		Start:   func(c *Common) Screen { return NewFileResultsScreen(c, name, src) },
	}
	return opts, func() { _ = src.Close() }, nil
}
