package main

import "fhirscope/fhirclient"

// version is the one version string; the client's User-Agent carries the same value.
var version = fhirclient.Version
