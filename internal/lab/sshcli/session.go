package sshcli

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/netalign/netalign/internal/lab/device"
)

// EOS configuration sessions: `configure session NAME` copies the running
// configuration into the session; commands change only the copy; `commit`
// replaces the running configuration with it in one step (or not at all);
// `abort` discards it. Sessions outlive the SSH connection that created
// them, as on EOS.

// maxPendingSessions is EOS's limit of pending configuration sessions, as
// `show configuration sessions` prints it.
const maxPendingSessions = 5

func cmdConfigureSession(sh *shell, a []string) (string, error) {
	name := ""
	if len(a) > 0 {
		name = a[0]
	} else {
		name = fmt.Sprintf("session%d", sh.dev.Commands())
	}
	sh.srv.shared.mu.Lock()
	s, ok := sh.srv.shared.sessions[name]
	if ok && s.state != "pending" {
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
		s = &configSession{name: name, cfg: sh.running(), state: "pending"}
		sh.srv.shared.sessions[name] = s
	}
	sh.srv.shared.mu.Unlock()
	sh.sess, sh.level, sh.ifs, sh.vlans = s, mConf, nil, nil
	return "", nil
}

func (sh *shell) commitSession(s *configSession) error {
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
	sh.srv.shared.mu.Lock()
	s.state = "completed"
	delete(sh.srv.shared.sessions, s.name)
	sh.srv.shared.mu.Unlock()
	return nil
}

func (sh *shell) abortSession(s *configSession) {
	sh.srv.shared.mu.Lock()
	s.state = "aborted"
	delete(sh.srv.shared.sessions, s.name)
	sh.srv.shared.mu.Unlock()
}

func cmdCommit(sh *shell, _ []string) (string, error) {
	if sh.sess == nil {
		return "", cliError("% Invalid input (not in a configuration session)")
	}
	if err := sh.commitSession(sh.sess); err != nil {
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
	return "", sh.commitSession(s)
}

func cmdSessionAbortNamed(sh *shell, a []string) (string, error) {
	s, err := sh.lookupSession(a[0])
	if err != nil {
		return "", err
	}
	sh.abortSession(s)
	return "", nil
}

func cmdShowSessions(sh *shell, _ []string) (string, error) {
	sh.srv.shared.mu.Lock()
	var names []string
	for n := range sh.srv.shared.sessions {
		names = append(names, n)
	}
	sort.Strings(names)
	sessions := map[string]*configSession{}
	for _, n := range names {
		sessions[n] = sh.srv.shared.sessions[n]
	}
	sh.srv.shared.mu.Unlock()
	if sh.format.json {
		type sess struct {
			State        string         `json:"state"`
			CompleteDate string         `json:"completedTime,omitempty"`
			Commit       string         `json:"commitUser"`
			Description  string         `json:"description"`
			Instances    map[string]any `json:"instances"`
		}
		out := struct {
			Sessions         map[string]sess `json:"sessions"`
			MaxSavedSessions int             `json:"maxSavedSessions"`
			MaxOpenSessions  int             `json:"maxOpenSessions"`
		}{Sessions: map[string]sess{}, MaxSavedSessions: 1, MaxOpenSessions: maxPendingSessions}
		for _, n := range names {
			out.Sessions[n] = sess{State: sessions[n].state, Instances: map[string]any{}}
		}
		return sh.renderJSON(out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Maximum number of completed sessions: 1\nMaximum number of pending sessions: %d\n\n", maxPendingSessions)
	b.WriteString("  Name                    State         User    Terminal\n")
	b.WriteString("  ----------------------- ------------- ------- --------\n")
	for _, n := range names {
		mark := " "
		if sh.sess != nil && sh.sess.name == n {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s %-23s %-13s %-7s %s\n", mark, n, sessions[n].state, "", "")
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
	var b strings.Builder
	b.WriteString("User Checkpoint Summary\n--------------------------------------------------------------------------------\n")
	for i, n := range names {
		fmt.Fprintf(&b, "%d) %s:\nCreated by admin\nUser-checkpoint\n\n", i+1, n)
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
