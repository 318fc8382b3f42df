package jsonscan

import "testing"

func TestMemberAndElement(t *testing.T) {
	data := []byte(`{"resourceType":"Patient","name":[{"family":"Ng"},{"family":"O\u2019Brien"}],"bad":`)
	whole := Span{0, len(data)}
	if s, ok := MemberString(data, whole, "resourceType"); !ok || s != "Patient" {
		t.Fatalf("resourceType = %q %v", s, ok)
	}
	names, ok := Member(data, whole, "name")
	if !ok {
		t.Fatal("name missing")
	}
	second, ok := Element(data, names, 1)
	if fam, ok2 := MemberString(data, second, "family"); !ok || !ok2 || fam != "O’Brien" {
		t.Fatalf("family = %q", fam)
	}
	if _, ok := Element(data, names, 2); ok {
		t.Fatal("element 2 must be absent")
	}
	if _, ok := Member(data, whole, "missing"); ok {
		t.Fatal("a key after a truncated member cannot be found")
	}
	if _, ok := MemberString(data, whole, "name"); ok {
		t.Fatal("name is not a string")
	}
}
