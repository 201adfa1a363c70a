package switchdrivers

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckCLISafe(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"", true},
		{"harvester-0 eno1 (mgmt)", true},
		{"server-A", true},
		{"rack 3/u12 node_7 [a]", true},
		{"50% of rack", false},
		{"Ethernet1\nshow run", false},
		{"Ethernet1\rshow run", false},
		{"100; reload", false},
		{"desc | bash rm -rf /", false},
		{"desc > flash:startup-config", false},
		{"help?", false},
		{"! comment", false},
		{"a\x00b", false},
		{"a\tb", false},
		{"esc\x1b[2J", false},
		{"quote\"d", false},
		{"back`tick`", false},
		{"$(reload)", false},
		{" leading", false},
		{"trailing ", false},
		{"line\u2028sep", false},
		{strings.Repeat("a", MaxCLITextLen), true},
		{strings.Repeat("a", MaxCLITextLen+1), false},
		{"bad\xffutf8", false},
	}
	for _, tt := range tests {
		err := CheckCLISafe(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("CheckCLISafe(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafeCLIText) {
			t.Errorf("CheckCLISafe(%q) = %v, want it to wrap ErrUnsafeCLIText", tt.in, err)
		}
	}
}

func TestCheckCLIWord(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"vlan100", true},
		{"VM-net_100", true},
		{"", false},
		{"two words", false},
		{"v\nshow run", false},
		{"100;reload", false},
		{strings.Repeat("v", MaxCLIWordLen), true},
		{strings.Repeat("v", MaxCLIWordLen+1), false},
	}
	for _, tt := range tests {
		if err := CheckCLIWord(tt.in); (err == nil) != tt.ok {
			t.Errorf("CheckCLIWord(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}
