package plan_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/plan/plantest"
)

// BenchmarkPlanSnapshotHostile reads a snapshot whose one trunk allows
// "1-4094," repeated to 350 KB, the way `plan --snapshot` does, and plans
// against it.
func BenchmarkPlanSnapshotHostile(b *testing.B) {
	d := load(b, "harvester-seed.yaml")
	obs := plantest.Blank(d)
	obs.Switches[0].Interfaces[0].Mode = intent.ModeTrunk
	obs.Switches[0].Interfaces[0].Allowed = intent.VLANSet{4094}
	snap, err := json.Marshal(obs)
	if err != nil {
		b.Fatal(err)
	}
	hostile := strings.Repeat("1-4094,", 350<<10/len("1-4094,"))
	snap = bytes.Replace(snap, []byte(`"allowed":"4094"`), []byte(`"allowed":"`+hostile+`"`), 1)
	b.SetBytes(int64(len(snap)))
	b.ReportAllocs()
	for range b.N {
		var o intent.Observed
		dec := json.NewDecoder(bytes.NewReader(snap))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			b.Fatal(err)
		}
		if got := o.Switches[0].Interfaces[0].Allowed; len(got) != 4094 {
			b.Fatalf("allowed list has %d VLANs, want 4094", len(got))
		}
		if _, err := plan.Compute(d, &o, plan.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
