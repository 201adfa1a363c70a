package sshcli

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/netalign/netalign/internal/lab/device"
)

// EOS configuration sessions: `configure session NAME` copies the running
// configuration into the session; commands change only the copy; `commit`
// replaces the running configuration with it in one step (or not at all);
// `abort` discards it. Sessions outlive the SSH connection that created
// them, as on EOS: a client that loses its connection leaves its session
// pending until someone removes it (`no configure session NAME`).
//
// `commit timer hh:mm:ss` (in the session, or `configure session NAME
// commit timer hh:mm:ss` from exec mode) commits at once but keeps the
// session, in state pendingCommitTimer, until `configure session NAME
// commit` confirms it; when the timer fires first, the configuration the
// commit replaced is restored, and `configure session NAME abort` restores
// it at once. While one session waits for its timer EOS commits no other,
// and the waiting session cannot be entered again. (Arista EOS User Manual,
// "Configure Session" and "Session Management Commands: commit timer";
// napalm's EOS driver reads the state pendingCommitTimer from `show
// configuration sessions detail | json`.) The wording of refusals is
// modelled, not captured.

// maxPendingSessions is EOS's limit of pending configuration sessions, as
// `show configuration sessions` prints it.
const maxPendingSessions = 5

// Session states, as `show configuration sessions` prints them.
const (
	statePending     = "pending"
	stateCommitTimer = "pendingCommitTimer"
	stateCompleted   = "completed"
	stateAborted     = "aborted"
)

func cmdConfigureSession(sh *shell, a []string) (string, error) {
	name := ""
	if len(a) > 0 {
		name = a[0]
	} else {
		name = fmt.Sprintf("session%d", sh.dev.Commands())
	}
	sh.srv.shared.mu.Lock()
	s, ok := sh.srv.shared.sessions[name]
	if ok && s.state == stateCommitTimer {
		sh.srv.shared.mu.Unlock()
		return "", cliError("% Cannot enter session " + name + ": session is in state " + stateCommitTimer)
	}
	if ok && s.state != statePending {
		delete(sh.srv.shared.sessions, name)
		ok = false
	}
	if !ok && len(sh.srv.shared.sessions) >= maxPendingSessions {
		sh.srv.shared.mu.Unlock()
		// EOS refuses a new session at its limit of pending ones (the
		// wording is modelled, not captured).
		return "", cliError(fmt.Sprintf("%% Cannot create session %s: maximum number of pending sessions (%d) reached", name, maxPendingSessions))
	}
	if !ok {
		s = &configSession{name: name, cfg: sh.running(), state: statePending}
		sh.srv.shared.sessions[name] = s
	}
	sh.srv.shared.mu.Unlock()
	sh.sess, sh.level, sh.ifs, sh.vlans = s, mConf, nil, nil
	return "", nil
}

// commitSession commits s: its configuration replaces the running one in
// one step. With timer > 0 the commit reverts unless confirmed (see the
// top of this file); committing a session that waits for its timer is the
// confirmation.
func (sh *shell) commitSession(s *configSession, timer time.Duration) error {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	if s.state == stateCommitTimer {
		if timer > 0 {
			return cliError("% Cannot commit session " + s.name + ": the session is already pending commit timer")
		}
		s.timer.Stop()
		s.state, s.pre = stateCompleted, nil
		delete(sh.srv.shared.sessions, s.name)
		return nil
	}
	for _, o := range sh.srv.shared.sessions {
		if o != s && o.state == stateCommitTimer {
			return cliError("% Cannot commit session " + s.name + ": session " + o.name + " is pending commit timer")
		}
	}
	pre := sh.running()
	cfg := s.cfg
	if err := sh.dev.Commit(func(c *device.Config) error {
		*c = *cfg.Clone()
		return nil
	}); err != nil {
		if errors.Is(err, device.ErrCommitRejected) {
			return cliError("% Cannot commit session " + s.name + ": configuration rejected by the platform (commit fault injected)")
		}
		return sh.wrapErr(err)
	}
	if timer > 0 {
		s.state, s.pre, s.expires = stateCommitTimer, pre, time.Now().Add(timer)
		srv := sh.srv
		s.timer = time.AfterFunc(timer, func() { srv.expireCommitTimer(s) })
		return nil
	}
	s.state = stateCompleted
	delete(sh.srv.shared.sessions, s.name)
	return nil
}

// expireCommitTimer is the end of s's commit timer: unless it was
// confirmed or aborted meanwhile, the configuration its commit replaced is
// restored.
func (srv *Server) expireCommitTimer(s *configSession) {
	srv.shared.mu.Lock()
	defer srv.shared.mu.Unlock()
	if s.state != stateCommitTimer {
		return
	}
	srv.restore(s)
}

// restore puts back the configuration s's timed commit replaced and ends
// s. The shared lock is held.
func (srv *Server) restore(s *configSession) {
	pre := s.pre
	_ = srv.dev.Update(func(c *device.Config) error {
		*c = *pre.Clone()
		return nil
	})
	s.state, s.pre = stateAborted, nil
	if srv.shared.sessions[s.name] == s {
		delete(srv.shared.sessions, s.name)
	}
}

// stopCommitTimers stops every pending commit timer, when the server
// closes: nothing changes the device after that.
func (srv *Server) stopCommitTimers() {
	srv.shared.mu.Lock()
	defer srv.shared.mu.Unlock()
	for _, s := range srv.shared.sessions {
		if s.timer != nil {
			s.timer.Stop()
		}
	}
}

// ConfigSessions returns the EOS configuration sessions the switch keeps
// (pending, or waiting for their commit timer) by name, with their state.
func (srv *Server) ConfigSessions() map[string]string {
	srv.shared.mu.Lock()
	defer srv.shared.mu.Unlock()
	out := make(map[string]string, len(srv.shared.sessions))
	for n, s := range srv.shared.sessions {
		out[n] = s.state
	}
	return out
}

// abortSession discards s; aborting a session that waits for its commit
// timer restores at once the configuration its commit replaced. `no
// configure session NAME` does the same here (what EOS does with it for a
// session waiting for its timer is not documented).
func (sh *shell) abortSession(s *configSession) {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	if s.state == stateCommitTimer {
		s.timer.Stop()
		sh.srv.restore(s)
		return
	}
	s.state = stateAborted
	delete(sh.srv.shared.sessions, s.name)
}

// parseCommitTimer reads the hh:mm:ss argument of `commit timer`.
func parseCommitTimer(arg string) (time.Duration, error) {
	parts := strings.Split(arg, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("not hh:mm:ss")
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p == "" || len(p) > 2 || (i > 0 && v > 59) {
			return 0, fmt.Errorf("not hh:mm:ss")
		}
		n[i] = v
	}
	d := time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute + time.Duration(n[2])*time.Second
	if d <= 0 {
		return 0, fmt.Errorf("zero timer")
	}
	return d, nil
}

func cmdCommit(sh *shell, _ []string) (string, error) { return sh.commitCurrent(0) }

func cmdCommitTimer(sh *shell, a []string) (string, error) {
	d, err := parseCommitTimer(a[0])
	if err != nil {
		return "", invalidAt(2, a[0])
	}
	return sh.commitCurrent(d)
}

// commitCurrent commits the session the CLI is in (see commitSession) and
// leaves it for privileged exec mode.
func (sh *shell) commitCurrent(timer time.Duration) (string, error) {
	if sh.sess == nil {
		return "", cliError("% Invalid input (not in a configuration session)")
	}
	if err := sh.commitSession(sh.sess, timer); err != nil {
		return "", err
	}
	sh.level, sh.sess, sh.ifs, sh.vlans = mPriv, nil, nil, nil
	return "", nil
}

func cmdAbort(sh *shell, _ []string) (string, error) {
	if sh.sess == nil {
		return "", cliError("% Invalid input (not in a configuration session)")
	}
	sh.abortSession(sh.sess)
	sh.level, sh.sess, sh.ifs, sh.vlans = mPriv, nil, nil, nil
	return "", nil
}

func (sh *shell) lookupSession(name string) (*configSession, error) {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	s, ok := sh.srv.shared.sessions[name]
	if !ok {
		return nil, cliError("% Session " + name + " does not exist")
	}
	return s, nil
}

func cmdSessionCommitNamed(sh *shell, a []string) (string, error) {
	s, err := sh.lookupSession(a[0])
	if err != nil {
		return "", err
	}
	return "", sh.commitSession(s, 0)
}

func cmdSessionCommitTimerNamed(sh *shell, a []string) (string, error) {
	d, err := parseCommitTimer(a[1])
	if err != nil {
		return "", invalidAt(5, a[1])
	}
	s, err := sh.lookupSession(a[0])
	if err != nil {
		return "", err
	}
	return "", sh.commitSession(s, d)
}

func cmdSessionAbortNamed(sh *shell, a []string) (string, error) {
	s, err := sh.lookupSession(a[0])
	if err != nil {
		return "", err
	}
	sh.abortSession(s)
	return "", nil
}

// cmdShowSessions lists the sessions EOS keeps: pending ones and those
// waiting for their commit timer. The JSON form has EOS's keys (sessions
// by name with their state; commitBy, for a session waiting for its timer,
// is when it reverts in seconds of the switch's uptime, as EOS before 4.32
// prints it: the lab's uptime is the constant eosUptime).
func cmdShowSessions(sh *shell, _ []string) (string, error) {
	sh.srv.shared.mu.Lock()
	var names []string
	for n := range sh.srv.shared.sessions {
		names = append(names, n)
	}
	sort.Strings(names)
	type entry struct {
		state   string
		expires time.Time
	}
	sessions := map[string]entry{}
	for _, n := range names {
		s := sh.srv.shared.sessions[n]
		sessions[n] = entry{s.state, s.expires}
	}
	sh.srv.shared.mu.Unlock()
	if sh.format.json {
		type sess struct {
			State        string         `json:"state"`
			CompleteDate string         `json:"completedTime,omitempty"`
			Commit       string         `json:"commitUser"`
			Description  string         `json:"description"`
			Instances    map[string]any `json:"instances"`
			CommitBy     float64        `json:"commitBy,omitempty"`
		}
		out := struct {
			Sessions         map[string]sess `json:"sessions"`
			MaxSavedSessions int             `json:"maxSavedSessions"`
			MaxOpenSessions  int             `json:"maxOpenSessions"`
		}{Sessions: map[string]sess{}, MaxSavedSessions: 1, MaxOpenSessions: maxPendingSessions}
		for _, n := range names {
			e := sess{State: sessions[n].state, Instances: map[string]any{}}
			if e.State == stateCommitTimer {
				e.CommitBy = eosUptime + max(0, time.Until(sessions[n].expires).Round(time.Second).Seconds())
			}
			out.Sessions[n] = e
		}
		return sh.renderJSON(out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Maximum number of completed sessions: 1\nMaximum number of pending sessions: %d\n\n", maxPendingSessions)
	b.WriteString("  Name                    State              User    Terminal\n")
	b.WriteString("  ----------------------- ------------------ ------- --------\n")
	for _, n := range names {
		mark := " "
		if sh.sess != nil && sh.sess.name == n {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s %-23s %-18s %-7s %s\n", mark, n, sessions[n].state, "", "")
	}
	return b.String(), nil
}

// cmdSessionDiffs prints the difference between the running configuration
// and the session's, as EOS does: a unified diff with the system and
// session file names.
func cmdSessionDiffs(sh *shell, _ []string) (string, error) {
	if sh.sess == nil {
		return "", cliError("% Invalid input (not in a configuration session)")
	}
	before := renderRunning(sh.dev.Platform(), sh.running(), "")
	after := renderRunning(sh.dev.Platform(), sh.sess.cfg, "")
	return unifiedDiff("system:/running-config", "session:/"+sh.sess.name+"-session-config", before, after), nil
}

func cmdShowSessionConfig(sh *shell, _ []string) (string, error) {
	if sh.sess == nil {
		return "", cliError("% Invalid input (not in a configuration session)")
	}
	return renderRunning(sh.dev.Platform(), sh.sess.cfg, ""), nil
}

// NX-OS checkpoints: `checkpoint NAME` saves the running configuration,
// `rollback running-config checkpoint NAME` restores it exactly (atomic,
// honouring the commit fault).

func cmdCheckpoint(sh *shell, a []string) (string, error) {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	if _, ok := sh.srv.shared.checkpoints[a[0]]; ok {
		return "", cliError("ERROR: Checkpoint name is in use")
	}
	sh.srv.shared.checkpoints[a[0]] = sh.running()
	return "...........Done", nil
}

func cmdNoCheckpoint(sh *shell, a []string) (string, error) {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	if _, ok := sh.srv.shared.checkpoints[a[0]]; !ok {
		return "", cliError("ERROR: No checkpoint by name " + a[0])
	}
	delete(sh.srv.shared.checkpoints, a[0])
	return "", nil
}

func (sh *shell) checkpoint(name string) (*device.Config, error) {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	c, ok := sh.srv.shared.checkpoints[name]
	if !ok {
		return nil, cliError("ERROR: No checkpoint by name " + name)
	}
	return c, nil
}

func cmdRollback(sh *shell, a []string) (string, error) {
	c, err := sh.checkpoint(a[0])
	if err != nil {
		return "", err
	}
	if err := sh.dev.Replace(c); err != nil {
		if errors.Is(err, device.ErrCommitRejected) {
			return "", cliError("ERROR: Rollback Patch Failed (commit fault injected)")
		}
		return "", sh.wrapErr(err)
	}
	return "Note: Applying config parallelly may fail Rollback verification\nCollecting Running-Config\n#Generating Rollback Patch\nExecuting Rollback Patch\nGenerating Running-config for verification\nGenerating Patch for verification\nVerification is Successful.\n\nRollback completed successfully.", nil
}

func cmdShowCheckpoints(sh *shell, _ []string) (string, error) {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	var names []string
	for n := range sh.srv.shared.checkpoints {
		names = append(names, n)
	}
	sort.Strings(names)
	// The entries as NX-OS prints them (genieparser's capture in
	// switchdrivers/nxos/testdata): "N) name:", creator, time, size and
	// description lines.
	var b strings.Builder
	b.WriteString("User Checkpoint Summary\n--------------------------------------------------------------------------------\n")
	for i, n := range names {
		size := len(renderRunning(device.PlatformNXOS, sh.srv.shared.checkpoints[n], ""))
		fmt.Fprintf(&b, "%d) %s:\nCreated by admin\nCreated at Tue, 23:13:20 14 Nov 2023\nSize is %s bytes\nDescription: None\n\n", i+1, n, thousands(size))
	}
	return b.String(), nil
}

func cmdShowRollbackPatch(sh *shell, a []string) (string, error) {
	c, err := sh.checkpoint(a[0])
	if err != nil {
		return "", err
	}
	before := renderRunning(sh.dev.Platform(), c, "")
	after := renderRunning(sh.dev.Platform(), sh.running(), "")
	return "#Generating Rollback Patch\n" + unifiedDiff("checkpoint:"+a[0], "running-config", before, after), nil
}

// unifiedDiff renders a unified diff (3 lines of context) of two texts;
// empty when they are equal.
func unifiedDiff(nameA, nameB, a, b string) string {
	la := strings.Split(strings.TrimRight(a, "\n"), "\n")
	lb := strings.Split(strings.TrimRight(b, "\n"), "\n")
	// LCS table.
	n, m := len(la), len(lb)
	dp := make([][]int32, n+1)
	for i := range dp {
		dp[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if la[i] == lb[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-', '+'
		text string
		ai   int
		bi   int
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && la[i] == lb[j]:
			ops = append(ops, op{' ', la[i], i, j})
			i++
			j++
		case j < m && (i >= n || dp[i][j+1] >= dp[i+1][j]):
			ops = append(ops, op{'+', lb[j], i, j})
			j++
		default:
			ops = append(ops, op{'-', la[i], i, j})
			i++
		}
	}
	const ctx = 3
	var out strings.Builder
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		start := max(0, k-ctx)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run-end > 2*ctx || run == len(ops) {
				end = min(len(ops), end+ctx)
				break
			}
			end = run
		}
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", nameA, nameB)
		}
		aStart, bStart := ops[start].ai, ops[start].bi
		aLen, bLen := 0, 0
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				aLen++
			}
			if o.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", aStart+1, aLen, bStart+1, bLen)
		for _, o := range ops[start:end] {
			out.WriteByte(o.kind)
			out.WriteString(o.text)
			out.WriteByte('\n')
		}
		k = end
	}
	return out.String()
}

// Checkpoints returns the names of the switch's user checkpoints (NX-OS).
func (srv *Server) Checkpoints() []string {
	srv.shared.mu.Lock()
	defer srv.shared.mu.Unlock()
	out := make([]string, 0, len(srv.shared.checkpoints))
	for n := range srv.shared.checkpoints {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
