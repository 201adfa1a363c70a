package bench

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/golden"
)

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), []byte(got), *update)
}

var reportTime = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func TestFleetMarkdown(t *testing.T) {
	step := func(name string, wall, cpu time.Duration, rt, cmds float64, boundRT int) Step {
		return Step{Name: name, Run: Run{Measure: Measure{Wall: wall, CPU: cpu, MaxRSS: 100 << 20}},
			Lab: PerSwitch{Commands: cmds, RoundTrips: rt, Logins: 1, MaxRoundTrips: int64(rt)}, LabCPU: cpu / 2,
			BoundRoundTrips: boundRT, Bound: Bound(32, 16, boundRT, 20*time.Millisecond, 2*time.Millisecond)}
	}
	run := &FleetResult{N: 32, Ports: 48, Parallelism: 16, Latency: 20 * time.Millisecond, Handshake: 2 * time.Millisecond,
		Steps: []Step{step(fleetStepApply, 2*time.Second, time.Second, 20, 310, 2), step(fleetStepVerify, time.Second, time.Second/2, 10, 10, 1)}}
	r := &FleetReport{Command: "netalign-bench fleet -n 32", Started: reportTime, Machine: "2 CPUs", Runs: []*FleetResult{run},
		Sweep: []*FleetResult{run}, Failed: []string{"N=1000: out of memory"}}
	checkGolden(t, "fleet.md", r.Markdown())
}

func TestPeerMarkdown(t *testing.T) {
	step := func(tool, name string, wall time.Duration, cmds float64) PeerStep {
		return PeerStep{Tool: tool, Name: name, Run: Run{Measure: Measure{Wall: wall, CPU: wall / 2, MaxRSS: 60 << 20, TreeRSS: 200 << 20}},
			Lab: PerSwitch{Commands: cmds, RoundTrips: cmds, Logins: 1}, LabCPU: wall / 10}
	}
	ok := &PeerResult{N: 2, Latency: 20 * time.Millisecond, Parallelism: 16, Identical: true, Steps: []PeerStep{
		step(ToolNetalign, PeerBlank, time.Second, 342), step(ToolAnsible, PeerBlank, 50*time.Second, 347),
		step(ToolNetalign, PeerAgain, time.Second/2, 17), step(ToolAnsible, PeerAgain, 10*time.Second, 13),
		step(ToolNetalign, PeerValidate, time.Second/4, 10)}}
	bad := &PeerResult{N: 1, Parallelism: 16, Diffs: []string{"r001a: vlan 20 name"}, Steps: ok.Steps}
	r := &PeerReport{Command: "netalign-bench peer -n 2", Started: reportTime, Machine: "2 CPUs", Version: "ansible-playbook [core 2.14.18], arista.eos 6.0.1",
		Runs: []*PeerResult{ok, bad}}
	checkGolden(t, "peer.md", r.Markdown())
}
