package eos

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sessionsJSON is `show configuration sessions | json` as the lab prints
// it, with the keys napalm's EOS driver and Arista's own scripts read
// (sessions by name, state). No capture from a switch is in the fixture
// collection.
const sessionsJSON = `{
    "sessions": {
        "netalign-0a1b2c3d": {"state": "pending", "commitUser": "", "description": "", "instances": {}},
        "netalign-ffffffff": {"state": "pendingCommitTimer", "commitUser": "", "description": "", "instances": {}, "commitBy": 3660.0},
        "netalign-12345678": {"state": "completed", "completedTime": 1700000100.0, "commitUser": "", "description": "", "instances": {}},
        "netalign-manual": {"state": "pending", "commitUser": "", "description": "", "instances": {}},
        "netalign-0A1B2C3D": {"state": "pending", "commitUser": "", "description": "", "instances": {}},
        "netalign-0a1b2c3d; reload": {"state": "pending", "commitUser": "", "description": "", "instances": {}},
        "ansible_170000000000": {"state": "pending", "commitUser": "", "description": "", "instances": {}},
        "netalign-00000001": {"state": "pending", "commitUser": "", "description": "", "instances": {}}
    },
    "maxSavedSessions": 1,
    "maxOpenSessions": 5
}`

func TestLeftovers(t *testing.T) {
	ss, err := ParseSessions([]byte(sessionsJSON))
	if err != nil {
		t.Fatal(err)
	}
	if ss.MaxOpenSessions != 5 {
		t.Errorf("maxOpenSessions = %d", ss.MaxOpenSessions)
	}
	want := Leftovers{Pending: []string{"netalign-00000001", "netalign-0a1b2c3d"}, Timed: []string{"netalign-ffffffff"}}
	if diff := cmp.Diff(want, ss.Leftovers("")); diff != "" {
		t.Errorf("Leftovers (-want +got):\n%s", diff)
	}
	// The caller's own session is not a leftover.
	want = Leftovers{Pending: []string{"netalign-00000001", "netalign-0a1b2c3d"}}
	if diff := cmp.Diff(want, ss.Leftovers("netalign-ffffffff"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Leftovers skipping its own (-want +got):\n%s", diff)
	}
	if _, err := ParseSessions([]byte("% Invalid input")); err == nil {
		t.Error("an error message parsed as sessions")
	}
}

func TestRunningDigest(t *testing.T) {
	a := "! Command: show running-config\n! device: leaf1 (vEOS-lab, EOS-4.30.0F)\n!\nhostname leaf1\n!\ninterface Ethernet1\n   description h0 eno1\n!\nend\n"
	b := "! Command: show running-config\r\n! device: leaf1 (vEOS-lab, EOS-4.31.1F)\r\n! Time: Tue Dec  1 10:00:00 2026\r\n!\r\nhostname leaf1\r\n!\r\ninterface Ethernet1\r\n   description h0 eno1   \r\n!\r\nend"
	if RunningDigest(a) != RunningDigest(b) {
		t.Error("header comments, line ends or trailing spaces change the digest")
	}
	for _, changed := range []string{
		"! Command: show running-config\n!\nhostname leaf1\n!\ninterface Ethernet1\n   description h0 eno2\n!\nend\n",
		"! Command: show running-config\n!\nhostname leaf1\n!\ninterface Ethernet1\n   description h0 eno1\n   mtu 9000\n!\nend\n",
		"! Command: show running-config\n!\nhostname leaf1\n!\nend\n",
	} {
		if RunningDigest(changed) == RunningDigest(a) {
			t.Errorf("a configuration change keeps the digest:\n%s", changed)
		}
	}
}

func TestTimerArg(t *testing.T) {
	for d, want := range map[time.Duration]string{
		2 * time.Second:                  "00:00:02",
		60 * time.Second:                 "00:01:00",
		1500 * time.Millisecond:          "00:00:02",
		90*time.Minute + 5*time.Second:   "01:30:05",
		25*time.Hour + 59*time.Minute:    "25:59:00",
		time.Nanosecond:                  "00:00:01",
		10*time.Minute - time.Nanosecond: "00:10:00",
	} {
		if got := timerArg(d); got != want {
			t.Errorf("timerArg(%v) = %s, want %s", d, got, want)
		}
	}
}

// FuzzLeftovers: whatever a switch prints for its sessions, parsing never
// panics and the only names that reach `no configure session` are
// netalign's own.
func FuzzLeftovers(f *testing.F) {
	f.Add([]byte(sessionsJSON), "")
	f.Add([]byte(`{"sessions":{}}`), "netalign-00000001")
	f.Fuzz(func(t *testing.T, raw []byte, skip string) {
		ss, err := ParseSessions(raw)
		if err != nil {
			return
		}
		l := ss.Leftovers(skip)
		for _, n := range append(l.Pending, l.Timed...) {
			if !ownName.MatchString(n) || n == skip {
				t.Errorf("leftover %q", n)
			}
		}
	})
}
