package inventory_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netalign/netalign/inventory"
)

// TestVLANPolicy loads configs/lab.yaml with leaf1's vlanPolicy set: exact
// and add load, the default is add, anything else is a field error with the
// path and the value.
func TestVLANPolicy(t *testing.T) {
	cleanEnv(t)
	base, err := os.ReadFile(filepath.Join("..", "configs", "lab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "lagIds: 10-99\n"
	if !strings.Contains(string(base), anchor) {
		t.Fatalf("configs/lab.yaml has no %q", anchor)
	}
	withPolicy := func(p string) []byte {
		return []byte(strings.Replace(string(base), anchor, anchor+"    vlanPolicy: "+p+"\n", 1))
	}
	ctx := context.Background()

	inv, err := inventory.LoadBytes(ctx, "lab.yaml", base, "yaml", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.Switches[0].VLANPolicy; got != inventory.VLANPolicyAdd {
		t.Errorf("default vlanPolicy = %q, want %q", got, inventory.VLANPolicyAdd)
	}
	for _, p := range []string{inventory.VLANPolicyAdd, inventory.VLANPolicyExact} {
		inv, err := inventory.LoadBytes(ctx, "lab.yaml", withPolicy(p), "yaml", opts)
		if err != nil {
			t.Fatalf("vlanPolicy %s: %v", p, err)
		}
		if got := inv.Switches[0].VLANPolicy; got != p {
			t.Errorf("vlanPolicy = %q, want %q", got, p)
		}
	}

	_, err = inventory.LoadBytes(ctx, "lab.yaml", withPolicy("prune"), "yaml", opts)
	var ve inventory.ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("vlanPolicy prune: got %v, want ValidationErrors", err)
	}
	var got []string
	for _, e := range ve {
		got = append(got, e.Path+"="+e.Value)
	}
	if diff := cmp.Diff([]string{"switches[0].vlanPolicy=prune"}, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "must be one of add, exact") {
		t.Errorf("error %q does not list the policies", err)
	}
}
