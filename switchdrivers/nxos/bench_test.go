package nxos

import (
	"testing"

	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

func BenchmarkBuildState(b *testing.B) {
	ifs := drivertest.ReadFixture(b, "show_interface.napalm-n3548.json")
	lldp := drivertest.ReadFixture(b, "show_lldp_neighbors_detail.napalm-ssh.txt")
	b.SetBytes(int64(len(ifs) + len(lldp)))
	o := Outputs{Interface: ifs, LLDPDetail: string(lldp)}
	for b.Loop() {
		if _, err := BuildState("dev1", o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender renders 48 host-facing LACP LAGs of two members each.
func BenchmarkRender(b *testing.B) { platform.BenchmarkRender(b) }

// BenchmarkLabObserve is one full observation of a simulated switch over
// SSH: six commands.
func BenchmarkLabObserve(b *testing.B) { platform.BenchmarkLabObserve(b) }
