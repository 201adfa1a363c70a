package sshcli

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/netalign/netalign/internal/lab/device"
)

// NX-OS configuration sessions (Cisco's Session Manager, Nexus 9000, 7000,
// 3000 System Management Configuration Guides, "Configuring Session
// Manager"): `configure session NAME` enters session configuration mode
// (`switch(config-s)#`, `switch(config-s-if)#`); the commands typed there
// are checked (the guide's validation phase: a command the device would
// refuse is refused at once) and staged, not applied; `verify` checks the
// staged list as a whole against the running configuration; `commit`
// applies it atomically — all of it or, on any failure, none — and leaves
// session mode; `abort` discards it. A session is a list of commands, not a
// copy of the configuration: commit applies them to the running
// configuration as it is then. Sessions outlive the SSH connection that
// created them (a session left by a lost connection stays pending, nothing
// of it live) until `no configure session NAME`; a device holds at most 32
// (the guides' limit).
//
// Modelled, not captured (no public capture was found): the wording of
// `show configuration session [summary]`, of the failure messages and of
// the limit; "Verification Successful" and "Commit Successful" follow the
// guides' examples. The guides say Session Manager supports only ACL (and,
// on Nexus 9000, QoS) configuration; the lab stages every configuration
// command it knows, as Nexus 9000 accepts them in session mode.

// maxNXSessions is the guides' limit: "You can create up to 32
// configuration sessions."
const maxNXSessions = 32

// nxStage is what an NX-OS configuration session holds beyond the EOS
// session fields: the staged commands and who created it.
type nxStage struct {
	owner string
	lines []stagedLine
}

// stagedLine is one staged command and the mode it was typed in, so that
// commit can replay it in the same context.
type stagedLine struct {
	text  string
	level mode
	ifs   []string
	vlans []int
}

// noSessions is the reply of an NX-OS release without Session Manager (the
// Options.NoConfigSessions variant) to a session command: the parser does
// not know the keyword at offset off.
func (sh *shell) noSessions(off int) (string, error) {
	return "", cliError(nxInvalidMarker(sh, off))
}

func cmdNXConfigureSession(sh *shell, a []string) (string, error) {
	if sh.srv.opts.NoConfigSessions {
		return sh.noSessions(len("configure "))
	}
	name := a[0]
	sh.srv.shared.mu.Lock()
	s, ok := sh.srv.shared.sessions[name]
	if !ok {
		if len(sh.srv.shared.sessions) >= maxNXSessions {
			sh.srv.shared.mu.Unlock()
			return "", cliError(fmt.Sprintf("ERROR: Maximum number of configuration sessions (%d) reached", maxNXSessions))
		}
		s = &configSession{name: name, cfg: sh.running(), state: "pending", nx: &nxStage{owner: sh.user}}
		sh.srv.shared.sessions[name] = s
	}
	sh.srv.shared.mu.Unlock()
	sh.sess, sh.level, sh.ifs, sh.vlans = s, mConf, nil, nil
	return "", nil
}

func cmdNXNoConfigureSession(sh *shell, a []string) (string, error) {
	if sh.srv.opts.NoConfigSessions {
		return sh.noSessions(len("no configure "))
	}
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	if _, ok := sh.srv.shared.sessions[a[0]]; !ok {
		return "", cliError("ERROR: Session " + a[0] + " does not exist")
	}
	delete(sh.srv.shared.sessions, a[0])
	return "", nil
}

// stage records line, just run successfully in context at, in the NX-OS
// session it was typed in. Only configuration commands are staged: exec
// commands run from session mode (show, copy) and the session's own
// commands are not.
func (sh *shell) stage(c *cmd, line string, at stagedLine) {
	s := sh.sess
	if s == nil || s.nx == nil || c.modes&(mConf|mSub) == 0 || nxSessionControl[c.pattern] {
		return
	}
	at.text = line
	sh.srv.shared.mu.Lock()
	s.nx.lines = append(s.nx.lines, at)
	sh.srv.shared.mu.Unlock()
}

// nxSessionControl are the commands of session mode that are not
// configuration.
var nxSessionControl = map[string]bool{"verify": true, "commit": true, "abort": true, "end": true, "exit": true}

// modeContext is where the shell is, for staging.
func (sh *shell) modeContext() stagedLine {
	return stagedLine{level: sh.level, ifs: sh.ifs, vlans: sh.vlans}
}

// staged returns a copy of s's staged commands.
func (sh *shell) staged(s *configSession) []stagedLine {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	return append([]stagedLine(nil), s.nx.lines...)
}

// replay runs s's staged commands on a copy of base, each in the mode it
// was typed in, and returns the result; the first refused command is the
// error.
func (sh *shell) replay(s *configSession, base *device.Config) (*device.Config, error) {
	rs := &shell{srv: sh.srv, dev: sh.dev, d: sh.d, user: sh.user, priv: true,
		sess: &configSession{name: s.name, cfg: base.Clone()}}
	for _, l := range sh.staged(s) {
		rs.level, rs.ifs, rs.vlans = l.level, l.ifs, l.vlans
		if _, err := rs.run(l.text); err != nil {
			return nil, fmt.Errorf("%s: %s", l.text, strings.TrimSpace(err.Error()))
		}
	}
	return rs.sess.cfg, nil
}

// errRunningChanged: the running configuration changed while a commit was
// replayed against it; the commit replays again.
var errRunningChanged = errors.New("running configuration changed")

// nxSession returns the NX-OS session the shell is in, or the refusal of a
// session command typed outside one (config terminal does not know it).
func (sh *shell) nxSession() (*configSession, error) {
	if sh.sess == nil || sh.sess.nx == nil {
		return nil, cliError(nxInvalidMarker(sh, 0))
	}
	sh.srv.shared.mu.Lock()
	cur, ok := sh.srv.shared.sessions[sh.sess.name]
	sh.srv.shared.mu.Unlock()
	if !ok || cur != sh.sess {
		// Removed (no configure session) from another terminal.
		return nil, cliError("ERROR: Session " + sh.sess.name + " does not exist")
	}
	return sh.sess, nil
}

func cmdNXVerify(sh *shell, _ []string) (string, error) {
	s, err := sh.nxSession()
	if err != nil {
		return "", err
	}
	base := sh.dev.Running()
	if _, err := sh.replay(s, &base); err != nil {
		return "", cliError("ERROR: Verification failed\n" + err.Error())
	}
	return "Verification Successful", nil
}

// cmdNXCommit applies the staged commands to the running configuration in
// one step. A failure leaves the running configuration as it was and the
// CLI in session mode with the session pending.
func cmdNXCommit(sh *shell, _ []string) (string, error) {
	s, err := sh.nxSession()
	if err != nil {
		return "", err
	}
	for attempt := 0; ; attempt++ {
		base := sh.dev.Running()
		cfg, err := sh.replay(s, &base)
		if err != nil {
			return "", cliError("ERROR: Commit failed\n" + err.Error())
		}
		err = sh.dev.Commit(func(c *device.Config) error {
			if !c.Equal(&base) {
				return errRunningChanged
			}
			*c = *cfg
			return nil
		})
		if errors.Is(err, errRunningChanged) && attempt < 10 {
			continue
		}
		if errors.Is(err, device.ErrCommitRejected) {
			return "", cliError("ERROR: Commit failed: configuration rejected by the platform (commit fault injected)")
		}
		if err != nil {
			return "", cliError("ERROR: Commit failed: " + err.Error())
		}
		break
	}
	// Committed: the session is gone.
	sh.abortSession(s)
	sh.level, sh.sess, sh.ifs, sh.vlans = mPriv, nil, nil, nil
	return "Commit Successful", nil
}

func cmdNXAbort(sh *shell, _ []string) (string, error) {
	s, err := sh.nxSession()
	if err != nil {
		return "", err
	}
	sh.abortSession(s)
	sh.level, sh.sess, sh.ifs, sh.vlans = mPriv, nil, nil, nil
	return "", nil
}

// nxSessionNames returns the sessions' names, sorted, and the sessions.
func (sh *shell) nxSessions() ([]string, map[string]*configSession) {
	sh.srv.shared.mu.Lock()
	defer sh.srv.shared.mu.Unlock()
	names := make([]string, 0, len(sh.srv.shared.sessions))
	all := make(map[string]*configSession, len(sh.srv.shared.sessions))
	for n, s := range sh.srv.shared.sessions {
		names = append(names, n)
		all[n] = s
	}
	sort.Strings(names)
	return names, all
}

// cmdNXShowSessionSummary lists the sessions, one a line, name first.
func cmdNXShowSessionSummary(sh *shell, _ []string) (string, error) {
	if sh.srv.opts.NoConfigSessions {
		return sh.noSessions(len("show configuration "))
	}
	names, all := sh.nxSessions()
	var b strings.Builder
	b.WriteString("Name                              Session Owner     Creation Time\n")
	b.WriteString("--------------------------------  ----------------  ------------------------\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%-32s  %-16s  %s\n", n, all[n].nx.owner, "Tue Nov 14 23:13:20 2023")
	}
	fmt.Fprintf(&b, "\nNumber of active configuration sessions = %d\n", len(names))
	return b.String(), nil
}

// cmdNXShowSession prints the staged commands of one session (a[0]) or of
// all, each under "config session name NAME", indented by mode.
func cmdNXShowSession(sh *shell, a []string) (string, error) {
	if sh.srv.opts.NoConfigSessions {
		return sh.noSessions(len("show configuration "))
	}
	names, all := sh.nxSessions()
	if len(a) > 0 {
		if _, ok := all[a[0]]; !ok {
			return "", cliError("ERROR: Session " + a[0] + " does not exist")
		}
		names = []string{a[0]}
	}
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "config session name %s\n", n)
		for _, l := range sh.staged(all[n]) {
			if l.level&mSub != 0 {
				b.WriteString("  ")
			}
			b.WriteString(l.text + "\n")
		}
	}
	return b.String(), nil
}

// nxSessionCommands are the Session Manager commands of the NX-OS dialect.
// A specific pattern comes before the generic one it overlaps.
func nxSessionCommands() []*cmd {
	return []*cmd{
		{pattern: "configure session <w>", modes: mPriv, run: cmdNXConfigureSession},
		{pattern: "no configure session <w>", modes: mPriv, run: cmdNXNoConfigureSession},
		{pattern: "verify", modes: mConf | mSub, run: cmdNXVerify},
		{pattern: "commit", modes: mConf | mSub, run: cmdNXCommit},
		{pattern: "abort", modes: mConf | mSub, run: cmdNXAbort},
		{pattern: "show configuration session summary", modes: mPriv, run: cmdNXShowSessionSummary},
		{pattern: "show configuration session", modes: mPriv, run: cmdNXShowSession},
		{pattern: "show configuration session <w>", modes: mPriv, run: cmdNXShowSession},
	}
}

// thousands prints n with comma separators, as NX-OS prints sizes
// ("26,154").
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
