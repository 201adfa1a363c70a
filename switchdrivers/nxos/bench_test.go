package nxos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

func BenchmarkBuildState(b *testing.B) {
	ifs, err := os.ReadFile(filepath.Join("testdata", "show_interface.napalm-n3548.json"))
	if err != nil {
		b.Fatal(err)
	}
	lldp, err := os.ReadFile(filepath.Join("testdata", "show_lldp_neighbors_detail.napalm-ssh.txt"))
	if err != nil {
		b.Fatal(err)
	}
	o := Outputs{Interface: ifs, LLDPDetail: string(lldp)}
	b.SetBytes(int64(len(ifs) + len(lldp)))
	for b.Loop() {
		if _, err := BuildState("dev1", o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender renders 48 host-facing LACP LAGs of two members each.
func BenchmarkRender(b *testing.B) {
	var changes []intent.SwitchChange
	for i := 1; i <= 48; i++ {
		po := fmt.Sprintf("Port-Channel%d", i)
		changes = append(changes,
			intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: po, SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000, MinLinks: 1},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: fmt.Sprintf("Ethernet%d/1", i), Join: true, ChannelGroup: i, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "node eno1"},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: fmt.Sprintf("Ethernet%d/2", i), Join: true, ChannelGroup: i, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "node eno2"})
	}
	for b.Loop() {
		if _, err := Render(changes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLabObserve is one full observation of a simulated switch over
// SSH: six commands.
func BenchmarkLabObserve(b *testing.B) {
	sw := labtest.Start(b, "leaf1", device.PlatformNXOS)
	ctx := context.Background()
	d, err := Open(ctx, sw.Config, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Apply(ctx, seedChanges()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := d.Observe(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
