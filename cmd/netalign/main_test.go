package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// netalign runs the CLI in-process and returns its exit code and output.
func netalign(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := netalign(t, "version")
	if code != 0 || !strings.HasPrefix(out, "netalign ") {
		t.Fatalf("version: exit %d, %q", code, out)
	}
}

func TestCPUProfile(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	code, _, errOut := netalign(t, "inventory", "check", "-i", "../../configs/harvester-seed.yaml", "--cpu-profile", prof)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// A gzipped profile, written and closed when the command ended.
	if b, err := os.ReadFile(prof); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("profile: %d bytes, %v", len(b), err)
	}
	if code, _, errOut := netalign(t, "version", "--cpu-profile", filepath.Join(t.TempDir(), "none", "x")); code != 2 || !strings.Contains(errOut, "--cpu-profile") {
		t.Errorf("unwritable profile: exit %d, %q", code, errOut)
	}
}

func TestInventoryCheckExamples(t *testing.T) {
	files, _ := filepath.Glob("../../configs/*.yaml")
	if len(files) < 6 {
		t.Fatalf("want at least 6 example inventories, found %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, out, errOut := netalign(t, "inventory", "check", "-i", f)
			if code != 0 || !strings.Contains(out, "OK") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})
	}
}

func TestInventoryCheckInvalid(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(`version: 1
clusterNetworks:
  - name: a-name-that-is-far-too-long
switches:
  - name: leaf1
    platform: eos
    address: 127.0.0.1
    credentials: {password: hunter2}
`), 0o644)
	code, _, errOut := netalign(t, "inventory", "check", "-i", bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errOut)
	}
	for _, want := range []string{bad + ": clusterNetworks[0].name", bad + ": switches[0].credentials.password"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "hunter2") {
		t.Errorf("the clear-text password is echoed:\n%s", errOut)
	}
}

func TestPlanWithoutDriverFailsInOneLine(t *testing.T) {
	t.Setenv("NETALIGN_TEST_USER", "u")
	t.Setenv("NETALIGN_TEST_PASS", "p")
	for _, cmd := range []string{"plan", "validate"} {
		code, out, errOut := netalign(t, cmd, "-i", "testdata/junos.yaml", "--log-level", "error")
		want := 1
		if cmd == "validate" {
			want = 2 // nothing could be observed: validate could not run
		}
		if code != want {
			t.Errorf("%s: exit %d, want %d", cmd, code, want)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], `no driver for platform "junos"`) {
			t.Errorf("%s: stderr is not one line naming the platform:\n%s", cmd, errOut)
		}
		if !strings.Contains(errOut, "NO_DRIVER") || strings.Contains(errOut, "goroutine") {
			t.Errorf("%s: stderr %q does not give the cause NO_DRIVER", cmd, errOut)
		}
		if !strings.Contains(out, "core1") {
			t.Errorf("%s: stdout does not report the device: %q", cmd, out)
		}
	}
}

func TestPlanSnapshot(t *testing.T) {
	code, out, errOut := netalign(t, "plan", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-converged.snapshot.json")
	if code != 0 || !strings.Contains(out, "No changes") {
		t.Fatalf("converged: exit %d\n%s%s", code, out, errOut)
	}
	code, _, _ = netalign(t, "plan", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-converged.snapshot.json", "--detailed-exitcode")
	if code != 0 {
		t.Errorf("converged --detailed-exitcode: exit %d, want 0", code)
	}
	code, out, errOut = netalign(t, "plan", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-drift.snapshot.json", "--detailed-exitcode")
	if code != 2 {
		t.Fatalf("drift --detailed-exitcode: exit %d, want 2\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"switch leaf1 (eos):",
		"~ lag Port-Channel10",
		"allowed vlans : 1,10 -> 1,10,100",
		"native vlan : 1 -> 20",
		"channel-group : none -> 11 mode active",
		"+ pool vlan 100 (vlan100)",
		"disruptive",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = netalign(t, "plan", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-drift.snapshot.json", "-o", "json")
	var p struct {
		Version int
		Devices []struct{ Name, Kind string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil || p.Version != 1 || len(p.Devices) == 0 {
		t.Errorf("plan -o json: exit %d, output %.200s", code, out)
	}
}

func TestValidateSnapshot(t *testing.T) {
	code, out, errOut := netalign(t, "validate", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-converged.snapshot.json")
	if code != 0 || !strings.Contains(out, "no mismatches") {
		t.Fatalf("converged: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = netalign(t, "validate", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-drift.snapshot.json", "-o", "json")
	if code != 1 {
		t.Fatalf("drift: exit %d, want 1\n%s", code, errOut)
	}
	var rep struct {
		Clean    bool
		Findings []struct{ Code, Device, Object string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Code+" "+f.Device+" "+f.Object)
	}
	want := []string{
		"DHCP_POOL_MISSING kea1 vlan 100",
		"VLAN_NOT_ALLOWED leaf1 Port-Channel10",
		"NATIVE_VLAN_MISMATCH leaf1 Ethernet11",
		"LAG_MODE_MISMATCH leaf2 Port-Channel11",
		"MTU_MISMATCH leaf2 Port-Channel12",
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}

	code, out, _ = netalign(t, "validate", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-drift.snapshot.json", "-o", "junit")
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || code != 1 {
		t.Fatalf("junit: exit %d, %v\n%s", code, err, out)
	}
	if suites.Failures != 5 {
		t.Errorf("junit failures = %d, want 5", suites.Failures)
	}
}

func TestBadFlags(t *testing.T) {
	code, _, errOut := netalign(t, "validate", "-i", "../../configs/harvester-seed.yaml", "-o", "yaml")
	if code != 2 || !strings.Contains(errOut, "--output") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
