package dnsmasq

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/dhcp/internal/dhcptest"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

func creates(pools []intent.Pool) []intent.PoolChange {
	var out []intent.PoolChange
	for _, p := range pools {
		out = append(out, intent.PoolChange{Action: intent.Create, Pool: p})
	}
	return out
}

// newLocal opens the driver on a file in a temporary directory. `dnsmasq
// --test` is the real program.
func newLocal(t *testing.T, restart string) (*Server, string) {
	t.Helper()
	dhcptest.RequireBinary(t, "dnsmasq", "dnsmasq")
	dir := t.TempDir()
	p := filepath.Join(dir, "netalign.conf")
	s := NewWithRunner(inventory.DHCPServer{Name: "dm1", Kind: Kind, ConfigPath: p, RestartCommand: restart}, Local{}, nil)
	return s, p
}

// leftovers lists the files in dir other than the owned one.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.Name() != "netalign.conf" {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestApplyLocalFile(t *testing.T) {
	s, p := newLocal(t, "")
	ctx := context.Background()
	got, err := s.Observe(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("Observe without a file = %v, %v; want no pools", got, err)
	}
	if err := s.Apply(ctx, creates(samplePools())); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(Render(samplePools())), string(b)); diff != "" {
		t.Errorf("file (-want +got):\n%s", diff)
	}
	got, err = s.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(samplePools(), got); diff != "" {
		t.Errorf("Observe (-want +got):\n%s", diff)
	}

	upd := samplePools()[1]
	upd.Ranges = []string{"172.16.101.30-172.16.101.40"}
	if err := s.Apply(ctx, []intent.PoolChange{{Action: intent.Update, Pool: upd}, {Action: intent.Delete, Pool: samplePools()[0]}}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]intent.Pool{upd, samplePools()[2]}, got); diff != "" {
		t.Errorf("Observe after update+delete (-want +got):\n%s", diff)
	}
	if l := leftovers(t, filepath.Dir(p)); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}

	// A stale plan is refused before anything is written.
	err = s.Apply(ctx, []intent.PoolChange{{Action: intent.Delete, Pool: samplePools()[0]}})
	if !errors.Is(err, dhcp.ErrPoolConflict) {
		t.Errorf("delete of a missing pool: %v, want ErrPoolConflict", err)
	}
}

func TestApplyRefusesForeignFile(t *testing.T) {
	s, p := newLocal(t, "")
	foreign := []byte("# written by hand\ndhcp-range=10.0.0.10,10.0.0.20,12h\n")
	if err := os.WriteFile(p, foreign, 0o644); err != nil {
		t.Fatal(err)
	}
	err := s.Apply(context.Background(), creates(samplePools()))
	if !errors.Is(err, ErrNotManaged) {
		t.Fatalf("Apply over a hand-written file: %v, want ErrNotManaged", err)
	}
	if b, _ := os.ReadFile(p); string(b) != string(foreign) {
		t.Errorf("hand-written file changed:\n%s", b)
	}
}

// TestInvalidFileNeverReplaces hands dnsmasq a file it rejects (a range
// spanning two networks of its netmask, which netalign's own checks would have refused
// before): the check fails with dnsmasq's message, the file in place is
// unchanged and the restart command never runs.
func TestInvalidFileNeverReplaces(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "restarted")
	s, p := newLocal(t, "touch "+shellQuote(marker))
	ctx := context.Background()
	if err := s.Apply(ctx, creates(samplePools()[:1])); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(marker); err != nil {
		t.Fatalf("restart command did not run: %v", err)
	}
	before, _ := os.ReadFile(p)
	bad := samplePools()[0]
	bad.Ranges = []string{"172.16.100.50-172.16.101.60"} // spans two /24s
	err := s.install(ctx, before, Render([]intent.Pool{bad}))
	var ce *CheckError
	if !errors.As(err, &ce) || !strings.Contains(ce.Output, "inconsistent DHCP range") {
		t.Fatalf("install of an invalid file: %v, want dnsmasq's rejection", err)
	}
	t.Logf("dnsmasq's rejection: %v", err)
	if after, _ := os.ReadFile(p); string(after) != string(before) {
		t.Errorf("file changed after a rejected check:\n%s", after)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("restart command ran after a rejected check")
	}
	if l := leftovers(t, filepath.Dir(p)); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

// TestRestartFailureRestores: when the restart command fails with the new
// file, the previous file is put back and dnsmasq restarted with it.
func TestRestartFailureRestores(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "restarts")
	s, p := newLocal(t, "")
	// Fails whenever the file holds vlan101; logs every run.
	s.restart = "echo run >> " + shellQuote(log) + "; ! grep -q vlan101 " + shellQuote(p)
	ctx := context.Background()
	if err := s.Apply(ctx, creates(samplePools()[:1])); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	err := s.Apply(ctx, creates(samplePools()[1:2]))
	if err == nil || !strings.Contains(err.Error(), "previous file restored") {
		t.Fatalf("Apply with a failing restart: %v, want a restore", err)
	}
	if after, _ := os.ReadFile(p); string(after) != string(before) {
		t.Errorf("file not restored:\n%s", after)
	}
	runs, _ := os.ReadFile(log)
	if got := strings.Count(string(runs), "run"); got != 3 {
		t.Errorf("restart ran %d times, want 3 (first apply, failed apply, restore)", got)
	}
}

func TestValidateDnsmasqConstraints(t *testing.T) {
	s, _ := newLocal(t, "")
	tests := []struct {
		name string
		edit func(*intent.Pool)
	}{
		{"relay outside subnet", func(p *intent.Pool) { p.Relay = "10.0.0.1" }},
		{"lease below two minutes", func(p *intent.Pool) { p.LeaseTime = 60 }},
		{"range outside subnet", func(p *intent.Pool) { p.Ranges = []string{"172.16.200.1-172.16.200.9"} }},
		{"hostname injecting a line", func(p *intent.Pool) { p.Reservations[0].Hostname = "vm1\ndhcp-range=1.1.1.1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := samplePools()[0]
			tt.edit(&p)
			err := s.Apply(context.Background(), creates([]intent.Pool{p}))
			if !errors.Is(err, dhcp.ErrInvalidPool) {
				t.Fatalf("Apply = %v, want ErrInvalidPool", err)
			}
		})
	}
}
