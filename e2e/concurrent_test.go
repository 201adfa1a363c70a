package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/inventory"
)

// TestConcurrentAppliesOneWins: two applies with different inventories
// (one adds VLAN 300 to the mgmt cluster network, the other VLAN 400) run
// at once against one switch. One wins; the other reports
// CONCURRENT_CHANGE for the switch and changes nothing; the switch ends as
// the winner's inventory says.
func TestConcurrentAppliesOneWins(t *testing.T) {
	faults := map[string]device.Faults{"leaf1": {Latency: 300 * time.Millisecond}}
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{Faults: faults})
	if r := netalign(t, nil, "apply", "-i", l.InventoryPath(), "--yes"); r.code != 0 {
		t.Fatalf("first apply: %s", r)
	}
	withVLAN := func(vid int) string {
		inv := *l.Inventory()
		inv.Networks = append(slices.Clone(inv.Networks), inventory.Network{Name: "extra", ClusterNetwork: "mgmt", VLAN: vid})
		return writeInventory(t, &inv)
	}
	files := map[int]string{300: withVLAN(300), 400: withVLAN(400)}
	type run struct {
		vid  int
		code int
		out  bytes.Buffer
	}
	runs := []*run{{vid: 300}, {vid: 400}}
	var cmds []*exec.Cmd
	for _, r := range runs {
		cmd := exec.Command(binary, "apply", "-i", files[r.vid], "--yes", "-o", "json", "--log-level", "error")
		cmd.Stdout = &r.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			runs[i].code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
	}
	var winner, loser *run
	for _, r := range runs {
		var rep struct {
			Results []struct{ Device, Status, Cause, Error string }
		}
		if err := json.Unmarshal(r.out.Bytes(), &rep); err != nil {
			t.Fatalf("apply of VLAN %d: %v\n%s", r.vid, err, r.out.String())
		}
		for _, res := range rep.Results {
			if res.Device != "leaf1" {
				continue
			}
			switch {
			case res.Status == "applied" && r.code == 0:
				winner = r
			case res.Cause == "CONCURRENT_CHANGE" && r.code == 1:
				loser = r
				// Its observation is stale (the winner committed since), or
				// the winner's commit still waits for confirmation.
				if !strings.Contains(res.Error, "changed") && !strings.Contains(res.Error, "unconfirmed netalign commit") {
					t.Errorf("the loser does not say why: %q", res.Error)
				}
			default:
				t.Errorf("apply of VLAN %d: leaf1 %s (%s) exit %d", r.vid, res.Status, res.Error, r.code)
			}
		}
	}
	if winner == nil || loser == nil {
		t.Fatalf("want one winner and one CONCURRENT_CHANGE; got %s / %s", runs[0].out.String(), runs[1].out.String())
	}
	st := l.Device("leaf1").State()
	po := st.Interface("Port-Channel10")
	if po == nil || !po.Allowed.Contains(winner.vid) || po.Allowed.Contains(loser.vid) {
		t.Errorf("leaf1 Port-Channel10 allows %v: want the winner's VLAN %d, not %d", po.Allowed, winner.vid, loser.vid)
	}
	if r := netalign(t, nil, "validate", "-i", files[winner.vid]); r.code != 0 {
		t.Errorf("validate against the winner's inventory: %s", r)
	}
}
