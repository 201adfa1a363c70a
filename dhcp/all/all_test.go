package all

import (
	"testing"

	"github.com/netalign/netalign/dhcp"
)

func TestRegister(t *testing.T) {
	r := dhcp.NewRegistry()
	Register(r)
	want := []string{"dnsmasq", "embedded", "kea"}
	got := r.Kinds()
	for _, k := range want {
		found := false
		for _, g := range got {
			found = found || g == k
		}
		if !found {
			t.Errorf("kind %q not registered (have %v)", k, got)
		}
	}
}
