package inventory

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizePort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Et1", "Ethernet1"},
		{"et1", "Ethernet1"},
		{"eth1", "Ethernet1"},
		{"Eth1/1", "Ethernet1/1"},
		{"ethernet1/2", "Ethernet1/2"},
		{"Ethernet1", "Ethernet1"},
		{" Ethernet3 ", "Ethernet3"},
		{"Po10", "Port-Channel10"},
		{"port-channel10", "Port-Channel10"},
		{"swp1", "swp1"},
		{"xe-0/0/1", "xe-0/0/1"},
		{"etc", "etc"},
		{"Management1", "Management1"},
	}
	for _, tt := range tests {
		if got := NormalizePort(tt.in); got != tt.want {
			t.Errorf("NormalizePort(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseLAGRange(t *testing.T) {
	tests := []struct {
		in      string
		lo, hi  int
		wantErr string
	}{
		{"", 1, 999, ""},
		{"10-99", 10, 99, ""},
		{" 10 - 99 ", 10, 99, ""},
		{"42", 42, 42, ""},
		{"1-4096", 1, 4096, ""},
		{"0-10", 0, 0, "within 1-4096"},
		{"1-4097", 0, 0, "within 1-4096"},
		{"99-10", 0, 0, "start is greater than end"},
		{"a-b", 0, 0, "want lo-hi"},
		{"10-", 0, 0, "want lo-hi"},
	}
	for _, tt := range tests {
		lo, hi, err := ParseLAGRange(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if lo != tt.lo || hi != tt.hi || (tt.wantErr == "") != (err == nil) || !strings.Contains(gotErr, tt.wantErr) {
			t.Errorf("ParseLAGRange(%q) = %d, %d, %v; want %d, %d, error containing %q", tt.in, lo, hi, err, tt.lo, tt.hi, tt.wantErr)
		}
	}
}

func TestSortErrors(t *testing.T) {
	in := []FieldError{
		{Path: "hosts[10].name", Message: "b"},
		{Path: "hosts[2].name", Message: "b"},
		{Path: "hosts[2].name", Message: "a"},
		{Path: "hosts[2].name", Message: "a"},
		{Path: "", Message: "whole file"},
		{Path: "clusterNetworks[0].mtu", Message: "x"},
		{Path: "hosts[2]", Message: "x"},
	}
	got := sortErrors(in).Paths()
	want := []string{"", "clusterNetworks[0].mtu", "hosts[2]", "hosts[2].name", "hosts[2].name", "hosts[10].name"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestFieldErrorFormat(t *testing.T) {
	tests := []struct {
		e    FieldError
		want string
	}{
		{FieldError{File: "a.yaml", Path: "switches[1].pasword", Message: "unknown field"}, "a.yaml: switches[1].pasword: unknown field"},
		{FieldError{File: "a.yaml", Path: "networks[0].name", Value: "a\nb", Message: "bad"}, `a.yaml: networks[0].name: bad (value "a\nb")`},
		{FieldError{Path: "version", Value: "2", Message: "must be 1"}, `version: must be 1 (value "2")`},
		{FieldError{File: "a.yaml", Message: "empty"}, "a.yaml: empty"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	v := ValidationErrors{tests[0].e, tests[1].e}
	if got, want := v.Error(), tests[0].want+"\n"+tests[1].want; got != want {
		t.Errorf("ValidationErrors.Error() = %q, want %q", got, want)
	}
}

func TestParseHostPort(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port int
		ok   bool
	}{
		{"192.0.2.1", "192.0.2.1", 0, true},
		{"192.0.2.1:830", "192.0.2.1", 830, true},
		{"2001:db8::1", "2001:db8::1", 0, true},
		{"[2001:db8::1]:6030", "2001:db8::1", 6030, true},
		{"leaf1.example.net", "leaf1.example.net", 0, true},
		{"leaf1.example.net:22", "leaf1.example.net", 22, true},
		{"192.0.2.1:0", "", 0, false},
		{"192.0.2.1:ssh", "", 0, false},
		{"bad host", "", 0, false},
		{"-leaf", "", 0, false},
		{"fe80::1%eth0", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		host, port, err := parseHostPort(tt.in)
		if host != tt.host || port != tt.port || (err == nil) != tt.ok {
			t.Errorf("parseHostPort(%q) = %q, %d, %v; want %q, %d, ok=%v", tt.in, host, port, err, tt.host, tt.port, tt.ok)
		}
	}
}

func TestUnsafeText(t *testing.T) {
	for _, s := range []string{"a\nb", "a\rb", "a\x00b", "a\x1bb", "a\u2028b", "a;b", "a|b", "a`b`", "$(id)", "a && b", "\xff", "a\u200bb", "a\u202eb", "a\u2066b", "\ufeffa"} {
		if unsafeText(s) == "" {
			t.Errorf("unsafeText(%q) accepted it", s)
		}
	}
	for _, s := range []string{"Ethernet1/1", "vlan100", "https://192.0.2.1:8000/", "~/.ssh/known_hosts", "a & b", "$HOME", "café"} {
		if msg := unsafeText(s); msg != "" {
			t.Errorf("unsafeText(%q) = %q, want accepted", s, msg)
		}
	}
}

// TestEveryStringIsChecked fills every string of the schema with a newline
// and wants each one reported: a field added to types.go is covered by the
// injection rules without anyone remembering to add it.
func TestEveryStringIsChecked(t *testing.T) {
	inv := &Inventory{}
	var paths []string
	fill(reflect.ValueOf(inv).Elem(), "", &paths)
	err := Validate(inv, Options{})
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v", err)
	}
	reported := map[string]bool{}
	for _, e := range ve {
		if strings.HasPrefix(e.Message, "contains a newline") {
			reported[e.Path] = true
		}
	}
	for _, p := range paths {
		isPassword := strings.HasSuffix(p, ".password")
		if reported[p] == isPassword {
			t.Errorf("%s: newline reported = %v", p, reported[p])
		}
		if isPassword && strings.Contains(err.Error(), "x\ny") {
			t.Errorf("a secret value reached the error text")
		}
	}
	if len(paths) < 60 {
		t.Errorf("only %d string fields found; the walk is broken", len(paths))
	}
}

// fill gives every slice one element, every pointer a value and every
// string "x\ny", recording the path of each string.
func fill(v reflect.Value, path string, paths *[]string) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, paths)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			if tag == "-" {
				continue
			}
			fill(v.Field(i), joinPath(path, tag), paths)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), indexPath(path, 0), paths)
	case reflect.String:
		v.SetString("x\ny")
		*paths = append(*paths, path)
	}
}
