package sshcli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/lab/device"
)

// TestEOSCommitTimer: `commit timer` commits at once and keeps the session
// in state pendingCommitTimer, listed as EOS lists it; the session cannot
// be entered again and no other session commits meanwhile; `configure
// session NAME commit` confirms, `configure session NAME abort` restores
// the configuration the commit replaced, and so does the timer when it
// fires first.
func TestEOSCommitTimer(t *testing.T) {
	ts := startTestSwitch(t, "leaf1", device.PlatformEOS, testEnable)
	d := openScrapli(t, ts, "arista_eos")
	hasVLAN := func(id int) bool { return ts.dev.Running().VLANs[id] != nil }

	mustSend(t, d, "configure session timed")
	mustSend(t, d, "vlan 300")
	mustSend(t, d, "commit timer 00:10:00")
	if p, _ := d.GetPrompt(); p != "leaf1#" {
		t.Errorf("prompt after commit timer %q", p)
	}
	if !hasVLAN(300) {
		t.Fatal("commit timer did not commit")
	}
	var list struct {
		Sessions map[string]struct {
			State    string  `json:"state"`
			CommitBy float64 `json:"commitBy"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(mustSend(t, d, "show configuration sessions | json")), &list); err != nil {
		t.Fatal(err)
	}
	if s := list.Sessions["timed"]; s.State != "pendingCommitTimer" || s.CommitBy <= eosUptime || s.CommitBy > eosUptime+600 {
		t.Errorf("timed session listed as %+v", s)
	}
	if out := mustSend(t, d, "show configuration sessions"); !strings.Contains(out, "timed") || !strings.Contains(out, "pendingCommitTimer") {
		t.Errorf("show configuration sessions:\n%s", out)
	}
	if got := ts.srv.ConfigSessions(); got["timed"] != "pendingCommitTimer" {
		t.Errorf("ConfigSessions = %v", got)
	}

	if out, _ := send(t, d, "configure session timed"); !strings.Contains(out, "% Cannot enter session timed") {
		t.Errorf("entering a session pending commit timer:\n%s", out)
	}
	mustSend(t, d, "configure session other")
	mustSend(t, d, "vlan 400")
	if out, failed := send(t, d, "commit"); failed == nil || !strings.Contains(out, "timed is pending commit timer") {
		t.Errorf("commit while another session is pending commit timer:\n%s", out)
	}
	mustSend(t, d, "abort")
	if hasVLAN(400) {
		t.Error("a session committed while another waits for its timer")
	}

	mustSend(t, d, "configure session timed commit")
	if got := ts.srv.ConfigSessions(); len(got) != 0 || !hasVLAN(300) {
		t.Errorf("after confirmation: sessions %v, VLAN 300 %v", got, hasVLAN(300))
	}

	confirmed := ts.dev.Running()
	mustSend(t, d, "configure session aborted")
	mustSend(t, d, "vlan 500")
	mustSend(t, d, "commit timer 0:10:00")
	if !hasVLAN(500) {
		t.Fatal("commit timer did not commit")
	}
	mustSend(t, d, "configure session aborted abort")
	if now := ts.dev.Running(); !now.Equal(&confirmed) {
		t.Error("abort of a session pending commit timer did not restore the configuration")
	}

	mustSend(t, d, "configure session expiring")
	mustSend(t, d, "vlan 600")
	mustSend(t, d, "end")
	mustSend(t, d, "configure session expiring commit timer 00:00:01")
	if !hasVLAN(600) {
		t.Fatal("commit timer from exec mode did not commit")
	}
	deadline := time.Now().Add(20 * time.Second)
	for hasVLAN(600) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if now := ts.dev.Running(); !now.Equal(&confirmed) {
		t.Error("the commit was not reverted when its timer expired")
	}
	if got := ts.srv.ConfigSessions(); len(got) != 0 {
		t.Errorf("sessions after the timer expired: %v", got)
	}
	for _, bad := range []string{"commit timer 1:60:00", "commit timer 00:00:00", "commit timer soon"} {
		mustSend(t, d, "configure session bad")
		if out, _ := send(t, d, bad); !strings.Contains(out, "% Invalid input") {
			t.Errorf("%q accepted:\n%s", bad, out)
		}
		mustSend(t, d, "abort")
	}
}
