package eos

import (
	"testing"

	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

func BenchmarkBuildState(b *testing.B) {
	o := Outputs{
		Interfaces: drivertest.ReadFixture(b, "show_interfaces.nrfu-dev1-mlag-portchannels.json"),
		LLDPDetail: drivertest.ReadFixture(b, "show_lldp_neighbors_detail.napalm-normal.json"),
	}
	b.SetBytes(int64(len(o.Interfaces) + len(o.LLDPDetail)))
	for b.Loop() {
		if _, err := BuildState("dev1", o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender renders 48 host-facing LACP LAGs of two members each.
func BenchmarkRender(b *testing.B) { platform.BenchmarkRender(b) }

// BenchmarkLabObserve is one full observation of a simulated switch over
// SSH: seven commands.
func BenchmarkLabObserve(b *testing.B) { platform.BenchmarkLabObserve(b) }
