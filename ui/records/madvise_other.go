//go:build !linux

package records

func adviseWillNeed([]byte) {}
