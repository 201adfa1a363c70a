package drivertest

import (
	"context"
	"fmt"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

// BenchmarkRender renders 48 host-facing LACP LAGs of two members each.
func (p Platform) BenchmarkRender(b *testing.B) {
	var changes []intent.SwitchChange
	for i := 1; i <= 48; i++ {
		po := fmt.Sprintf("Port-Channel%d", i)
		changes = append(changes,
			intent.SwitchChange{Action: intent.Create, Object: intent.ObjLAG, Name: po, SetTrunk: true, NativeVLAN: 1, AddVLANs: intent.NewVLANSet(10, 100), MTU: 9000, MinLinks: 1},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: fmt.Sprintf("Ethernet%d/1", i), Join: true, ChannelGroup: i, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "node eno1"},
			intent.SwitchChange{Action: intent.Update, Object: intent.ObjInterface, Name: fmt.Sprintf("Ethernet%d/2", i), Join: true, ChannelGroup: i, ChannelMode: intent.ChannelActive, LACPRate: "fast", Description: "node eno2"})
	}
	for b.Loop() {
		if _, err := p.Render(changes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLabObserve is one full observation of a simulated switch over
// SSH, seeded with SeedChanges.
func (p Platform) BenchmarkLabObserve(b *testing.B) {
	sw := p.Start(b)
	ctx := context.Background()
	d, err := p.Open(ctx, sw.Config, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Apply(ctx, p.SeedChanges()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := d.Observe(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
