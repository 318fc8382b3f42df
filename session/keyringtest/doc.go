// Package keyringtest holds the session tests that talk to a REAL OS keyring (a Secret Service
// on Linux). They live apart from package session because go-keyring's MockInit, which the
// session unit tests use, replaces the backend for the whole test binary.
//
// Without a reachable Secret Service the tests skip with the reason; with
// FHIRSCOPE_REQUIRE_KEYRING=1 (as .ci/run sets) they fail instead. A local run:
//
//	HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n somepass |
//	  gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
//	  FHIRSCOPE_REQUIRE_KEYRING=1 go test ./session/...'
package keyringtest
