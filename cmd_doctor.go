package main

import "io"

// PLACEHOLDER: replaced by the helper that owns this file.
func runDoctor(args []string, stdout, stderr io.Writer) int {
	io.WriteString(stderr, "not built yet\n")
	return 2
}
func runRegister(args []string, stdout, stderr io.Writer) int {
	io.WriteString(stderr, "not built yet\n")
	return 2
}
func runToken(args []string, stdout, stderr io.Writer) int {
	io.WriteString(stderr, "not built yet\n")
	return 2
}
func runGet(args []string, stdout, stderr io.Writer) int {
	io.WriteString(stderr, "not built yet\n")
	return 2
}
