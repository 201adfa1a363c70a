package norm

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompareInterfaces(t *testing.T) {
	got := []string{"Port-Channel10", "Ethernet10", "Ethernet1/10", "Ethernet2", "Port-Channel9", "Ethernet1/2", "Ethernet1"}
	slices.SortFunc(got, CompareInterfaces)
	want := []string{"Ethernet1", "Ethernet1/2", "Ethernet1/10", "Ethernet2", "Ethernet10", "Port-Channel9", "Port-Channel10"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
