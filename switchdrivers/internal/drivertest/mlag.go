package drivertest

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// StartPair runs two lab switches of the platform, leaf1 and leaf2, paired
// as MLAG/vPC peers with their domain configured.
func (p Platform) StartPair(t testing.TB) (a, b *labtest.Switch) {
	t.Helper()
	a, b = labtest.Start(t, "leaf1", p.Name), labtest.Start(t, "leaf2", p.Name)
	// The fabric is built before anything connects (it is read
	// without locking).
	f := device.NewFabric()
	f.Add(a.Dev)
	f.Add(b.Dev)
	f.PairMLAG(a.Dev, b.Dev)
	for _, sw := range []*labtest.Switch{a, b} {
		if err := sw.Dev.Update(func(c *device.Config) error {
			if p.EnableMLAG != nil {
				p.EnableMLAG(c)
			}
			c.MLAG = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// labMLAGPeering observes both peers of a pair while its links go down and
// come back: the driver reads the peering as the lab model has it.
func (p Platform) labMLAGPeering(t *testing.T) {
	a, b := p.StartPair(t)
	da, db := p.OpenLab(t, a), p.OpenLab(t, b)
	domain := device.MLAGDomain(p.Name)
	observe := func(step string, want intent.MLAGState) {
		t.Helper()
		for _, x := range []struct {
			sw *labtest.Switch
			d  switchdrivers.Driver
		}{{a, da}, {b, db}} {
			st, err := x.d.Observe(Context(t))
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			x.sw.MatchesModel(t, st)
			if diff := cmp.Diff(&want, st.MLAG, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: %s MLAG (-want +got):\n%s", step, x.sw.Config.Name, diff)
			}
		}
	}
	observe("established", intent.MLAGState{Domain: domain, State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true})

	if err := a.Dev.SetMLAGPeerLink(false); err != nil {
		t.Fatal(err)
	}
	// NX-OS keeps its keep-alive over its own link; EOS negotiates over
	// the peer link.
	observe("peer link down", intent.MLAGState{Domain: domain, State: intent.MLAGInactive, KeepaliveUp: p.Name == device.PlatformNXOS})

	if err := b.Dev.SetMLAGPeerLink(true); err != nil {
		t.Fatal(err)
	}
	if err := b.Dev.SetMLAGKeepalive(false); err != nil {
		t.Fatal(err)
	}
	// A lost keep-alive alone leaves an NX-OS pair forwarding (peer-ok);
	// EOS's peering is inactive.
	want := intent.MLAGState{Domain: domain, State: intent.MLAGInactive, PeerLinkUp: true}
	if p.Name == device.PlatformNXOS {
		want.State = intent.MLAGActive
	}
	observe("keep-alive down", want)

	if err := a.Dev.SetMLAGKeepalive(true); err != nil {
		t.Fatal(err)
	}
	observe("restored", intent.MLAGState{Domain: domain, State: intent.MLAGActive, PeerLinkUp: true, KeepaliveUp: true})
}

// JSONPaths lists every key path of a JSON document ("TABLE_vpc.ROW_vpc.vpc-id"),
// lists and single objects alike (NX-OS prints a one-row table as an
// object with `| json`, as a list with `| json native`).
func JSONPaths(t testing.TB, b []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("json: %v\n%s", err, b)
	}
	out := map[string]bool{}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				p := k
				if path != "" {
					p = path + "." + k
				}
				out[p] = true
				walk(c, p)
			}
		case []any:
			for _, c := range x {
				walk(c, path)
			}
		}
	}
	walk(v, "")
	return out
}

// Labels returns the "label: value" lines of a show command's text output
// as label -> column of the colon, the layout an operator reads.
func Labels(text string) map[string]int {
	out := map[string]int{}
	for _, l := range strings.Split(text, "\n") {
		k, _, ok := strings.Cut(l, ":")
		if ok && strings.TrimSpace(k) != "" {
			out[strings.TrimSpace(k)] = len(k)
		}
	}
	return out
}

// MLAGCaptures reads every capture in testdata whose name starts with one
// of prefixes through observe and compares the peering with want[file]; a
// nil want is output observe must refuse with an error naming cmd (the
// command's text form, a switch that ignored `| json`). A capture of the
// command missing from want fails t.
func MLAGCaptures(t *testing.T, cmd string, observe func([]byte) (*intent.MLAGState, error), want map[string]*intent.MLAGState, prefixes ...string) {
	t.Helper()
	for file, w := range want {
		t.Run(file, func(t *testing.T) {
			got, err := observe(ReadFixture(t, file))
			if w == nil {
				if err == nil || !strings.Contains(err.Error(), cmd) {
					t.Fatalf("%s read as %+v, %v; want an error naming %q", file, got, err, cmd)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".parsed.yml") || strings.HasSuffix(n, ".expected.py") {
			continue
		}
		for _, p := range prefixes {
			if _, ok := want[n]; strings.HasPrefix(n, p) && !ok {
				t.Errorf("testdata/%s is a capture of %q no test reads", n, cmd)
			}
		}
	}
}

// CheckMLAG fails t when a peering a parser returned without error holds
// what no switch reports: an unknown state, a domain or links up without a
// domain configured. The drivers' fuzz targets call it.
func CheckMLAG(t testing.TB, m *intent.MLAGState) {
	t.Helper()
	switch m.State {
	case intent.MLAGActive, intent.MLAGInactive:
	case intent.MLAGDisabled:
		if m.Domain != "" || m.PeerLinkUp || m.KeepaliveUp || len(m.Inconsistent) > 0 {
			t.Errorf("disabled with %+v", m)
		}
	default:
		t.Errorf("state %q", m.State)
	}
}

// MLAGCase is an output of a driver's peering command and the peering it
// must read from it; an empty In is the command refused (nil output).
type MLAGCase struct {
	Name, In string
	Want     *intent.MLAGState
}

// MLAGOutputs runs observe on every case, and on every bad output, which
// it must refuse.
func MLAGOutputs(t *testing.T, observe func([]byte) (*intent.MLAGState, error), cases []MLAGCase, bad ...string) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			var in []byte
			if tt.In != "" {
				in = []byte(tt.In)
			}
			got, err := observe(in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.Want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, b := range bad {
		if got, err := observe([]byte(b)); err == nil {
			t.Errorf("%s read as %+v, want an error", b, got)
		}
	}
}

// HasLines fails t for each of lines that is not a whole line of out.
func HasLines(t testing.TB, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains("\n"+out, "\n"+l+"\n") {
			t.Errorf("no line %q in\n%s", l, out)
		}
	}
}
