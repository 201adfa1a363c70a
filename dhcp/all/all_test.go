package all

import (
	"errors"
	"strings"
	"testing"

	"github.com/netalign/netalign/dhcp"
)

func TestRegister(t *testing.T) {
	r := dhcp.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
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
	if err := Register(r); !errors.Is(err, dhcp.ErrDuplicate) || !strings.Contains(err.Error(), "kea") {
		t.Errorf("second Register = %v, want ErrDuplicate naming kea", err)
	}
}
