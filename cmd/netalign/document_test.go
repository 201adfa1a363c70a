package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/runlock"
	"github.com/netalign/netalign/inventory"
)

// TestDocumentOnEveryExit: -o json and -o junit print a complete document
// when the run cannot start, with the inventory's problems by field.
func TestDocumentOnEveryExit(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nclusterNetworks:\n  - name: \"bad name\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"validate", "-o", "json"},
		{"plan", "-o", "json"},
		{"apply", "--yes", "-o", "json"},
	} {
		code, out, _ := netalign(t, append(args, "-i", bad)...)
		if code == 0 {
			t.Errorf("%v: exit 0 on an invalid inventory", args)
		}
		var doc struct {
			Netalign, Time, Inventory string
			Errors                    []struct{ Code, File, Path, Message string }
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Errorf("%v: no JSON document: %v\n%s", args, err, out)
			continue
		}
		if doc.Netalign == "" || doc.Time == "" || doc.Inventory != bad {
			t.Errorf("%v: header %+v", args, doc)
		}
		found := false
		for _, e := range doc.Errors {
			if e.Code == "INVENTORY_INVALID" && e.File == bad && strings.HasPrefix(e.Path, "clusterNetworks[0].name") {
				found = true
			}
		}
		if !found {
			t.Errorf("%v: errors do not name clusterNetworks[0].name: %+v", args, doc.Errors)
		}
	}
	code, out, _ := netalign(t, "validate", "-o", "junit", "-i", bad)
	if code != 2 {
		t.Errorf("validate -o junit: exit %d, want 2", code)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || suites.Failures != 1 || len(suites.Suites) != 1 ||
		suites.Suites[0].Cases[0].Failure == nil || !strings.Contains(suites.Suites[0].Cases[0].Failure.Text, "clusterNetworks[0].name") {
		t.Errorf("junit of a run that could not start: %v\n%s", err, out)
	}
}

// TestApplyRefusedWhileAnotherHoldsTheInventory: a second apply of the same
// inventory on this machine is refused, saying why and how to wait.
func TestApplyRefusedWhileAnotherHoldsTheInventory(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	inv := "../../configs/lab.yaml"
	l, err := runlock.Acquire(context.Background(), dir, inv, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	code, out, errOut := netalign(t, "apply", "--yes", "-o", "json", "-i", inv)
	if code != 2 || !strings.Contains(errOut, "another netalign run holds the lock") || !strings.Contains(errOut, "--lock-timeout") {
		t.Fatalf("apply while locked: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, `"errors"`) || !strings.Contains(out, "another netalign run") {
		t.Errorf("the JSON document does not say why: %s", out)
	}
}

// TestProbeThatCannotRunIsNotAFinding: a probe that cannot bind its relay
// address here says so (PROBE_FAILED), instead of blaming the server with
// DHCP_NO_OFFER.
func TestProbeThatCannotRunIsNotAFinding(t *testing.T) {
	inv, err := inventory.Load("../../configs/lab.yaml", intent.InventoryOptions())
	if err != nil {
		t.Fatal(err)
	}
	desired, err := intent.Derive(inv)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The relay addresses of configs/lab.yaml (172.16.x.1) are not on
	// this machine: the relay socket cannot be bound.
	_, err = a.probeDHCP(ctx, &session{inv: inv, desired: desired}, nil)
	var pe *probeError
	if !errors.As(err, &pe) {
		t.Fatalf("probe: %v, want a probe error", err)
	}
	if errs := runErrors(err); len(errs) != 1 || errs[0].Code != "PROBE_FAILED" || !strings.Contains(errs[0].Message, "could not run here") {
		t.Errorf("run errors %+v", errs)
	}
}

// TestInsecureIsRecorded: --insecure is in the JSON and JUnit reports and
// in a warning line of the text output, whatever the log level.
func TestInsecureIsRecorded(t *testing.T) {
	args := []string{"validate", "-i", "../../configs/harvester-seed.yaml", "--snapshot", "testdata/seed-converged.snapshot.json", "--insecure", "--log-level", "error"}
	_, out, _ := netalign(t, append(args, "-o", "json")...)
	var rep struct{ Insecure []string }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Insecure) == 0 || !slices.Contains(rep.Insecure, "leaf1") {
		t.Errorf("insecure devices %v, want every switch", rep.Insecure)
	}
	_, _, errOut := netalign(t, args...)
	if !strings.Contains(errOut, "WARNING: host key / certificate verification was disabled for: ") || !strings.Contains(errOut, "leaf1") {
		t.Errorf("no warning in the text output: %q", errOut)
	}
	_, out, _ = netalign(t, append(args, "-o", "junit")...)
	if !strings.Contains(out, "insecure") {
		t.Errorf("JUnit does not record --insecure:\n%s", out)
	}
}

// TestDeviceTextIsEscaped: text from a device (here a LAG description in a
// snapshot carrying an OSC 52 clipboard write and a bidi override) reaches
// the terminal escaped, in the plan and in the validation table.
func TestDeviceTextIsEscaped(t *testing.T) {
	b, err := os.ReadFile("testdata/seed-converged.snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	sw := snap["switches"].([]any)[0].(map[string]any)
	hostile := "netalign x\x1b]52;c;aGVsbG8=\x07\u202eevil"
	sw["interfaces"] = append(sw["interfaces"].([]any), map[string]any{"name": "Port-Channel99", "kind": "lag", "description": hostile, "adminUp": true, "operUp": true})
	out, _ := json.Marshal(snap)
	file := filepath.Join(t.TempDir(), "hostile.json")
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"plan", "validate"} {
		_, stdout, stderr := netalign(t, cmd, "-i", "../../configs/harvester-seed.yaml", "--snapshot", file)
		all := stdout + stderr
		if !strings.Contains(all, "Port-Channel99") {
			t.Fatalf("%s does not show the orphan LAG:\n%s", cmd, all)
		}
		if strings.ContainsAny(all, "\x1b\x07\u202e") {
			t.Errorf("%s prints device text raw: %q", cmd, all)
		}
		if !strings.Contains(all, `\x1b]52`) || !strings.Contains(all, `\u202e`) {
			t.Errorf("%s does not show the escapes visibly:\n%s", cmd, all)
		}
	}
}
