package clisession

import "testing"

func TestHostPrompt(t *testing.T) {
	re := hostPrompt("leaf1.dc-1#")
	for line, want := range map[string]bool{
		"leaf1.dc-1#":                         true,
		"leaf1.dc-1>":                         true,
		"leaf1.dc-1(config)#":                 true,
		"leaf1.dc-1(config-s-netali-if-Et1)#": true,
		"leaf1.dc-1(config-if)#vlan 10":       true,
		"   description ticket #42":           false,
		"-   description leaf1.dc-1# ticket":  false,
		"leaf1xdc-1#":                         false,
		"leaf2#":                              false,
		"% Invalid input (at token 1: 'x')":   false,
		"Enter configuration commands, one per line. End with CNTL/Z.": false,
	} {
		if got := re.MatchString(line); got != want {
			t.Errorf("%q: match = %v, want %v", line, got, want)
		}
	}
	if hostPrompt("#") != nil || hostPrompt("") != nil {
		t.Error("a prompt without hostname gave a pattern")
	}
}
