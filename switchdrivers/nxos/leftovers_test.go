package nxos

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

func TestCheckpointsOfCapture(t *testing.T) {
	capture := string(drivertest.ReadFixture(t, "show_checkpoint_summary.genie.txt"))
	// Read from the capture: one user and one system checkpoint.
	want := []string{"bgp-Wed_May_31_12_56_56_2017", "system-fm-bfd"}
	if diff := cmp.Diff(want, checkpoints(capture)); diff != "" {
		t.Errorf("checkpoints (-want +got):\n%s", diff)
	}
	// Neither is netalign's.
	if got := OwnCheckpoints(capture); len(got) != 0 {
		t.Errorf("own checkpoints = %q, want none", got)
	}
	ours := strings.Replace(capture, "bgp-Wed_May_31_12_56_56_2017", "netalign-0a1b2c3d", 1)
	if diff := cmp.Diff([]string{"netalign-0a1b2c3d"}, OwnCheckpoints(ours)); diff != "" {
		t.Errorf("own checkpoints (-want +got):\n%s", diff)
	}
}

func TestOwnNames(t *testing.T) {
	for _, tt := range []struct {
		name, summary string
		sessions      []string
		checkpoints   []string
	}{
		{"empty", "", nil, nil},
		{
			name: "sessions table",
			summary: "Name                              Session Owner     Creation Time\n" +
				"--------------------------------  ----------------  ------------------------\n" +
				"netalign-0a1b2c3d                 netalign          Tue Nov 14 23:13:20 2023\n" +
				"operator                          admin             Tue Nov 14 23:13:20 2023\n" +
				"netalign-backup                   admin             Tue Nov 14 23:13:20 2023\n" +
				"netalign-0A1B2C3D                 admin             Tue Nov 14 23:13:20 2023\n" +
				"netalign-ffffffff0                admin             Tue Nov 14 23:13:20 2023\n" +
				"  netalign-12345678\r\n" +
				"netalign-0a1b2c3d                 netalign          Tue Nov 14 23:13:20 2023\n" +
				"\nNumber of active configuration sessions = 5\n",
			sessions: []string{"netalign-0a1b2c3d", "netalign-12345678"},
		},
		{
			name: "checkpoint entries",
			summary: "User Checkpoint Summary\n-----\n1) netalign-0a1b2c3d:\nCreated by admin\nDescription: None\n\n" +
				"2) netalign-backup:\n3) before-netalign-0a1b2c3d:\n  4) netalign-deadbeef:  \n" +
				"netalign-cafef00d\nDescription: netalign-cafebabe:\n",
			checkpoints: []string{"netalign-0a1b2c3d", "netalign-deadbeef"},
			sessions:    []string{"netalign-cafef00d"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.sessions, OwnSessions(tt.summary), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("OwnSessions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.checkpoints, OwnCheckpoints(tt.summary), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("OwnCheckpoints (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunningDigest(t *testing.T) {
	run := "\n!Command: show running-config\n!Running configuration last done at: Tue Nov 14 22:13:20 2023\n!Time: Tue Nov 14 23:13:20 2023\n\n" +
		"version 9.3(8) Bios:version  \nhostname leaf1\n\nvlan 1,10\n\ninterface Ethernet1/1\n  description h0\n\n"
	same := []string{
		strings.TrimSpace(run),
		strings.ReplaceAll(run, "\n", "\r\n"),
		strings.Replace(strings.Replace(run, "23:13:20", "23:59:01", 1), "22:13:20", "23:58:00", 1),
	}
	for _, s := range same {
		if RunningDigest(s) != RunningDigest(run) {
			t.Errorf("digest differs for an unchanged configuration read as:\n%q", s)
		}
	}
	for _, s := range []string{
		strings.Replace(run, "vlan 1,10", "vlan 1,10,20", 1),
		strings.Replace(run, "  description h0", "  description h1", 1),
		strings.Replace(run, "  description h0", "description h0", 1),
	} {
		if RunningDigest(s) == RunningDigest(run) {
			t.Errorf("digest unchanged for a changed configuration:\n%s", s)
		}
	}
}
