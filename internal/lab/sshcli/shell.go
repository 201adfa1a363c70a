package sshcli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// cliError is an error the CLI prints verbatim (it already has the
// device's wording, e.g. "% Incomplete command").
type cliError string

func (e cliError) Error() string { return string(e) }

// configSession is an EOS configuration session: a private copy of the
// configuration that commit swaps in atomically.
type configSession struct {
	// nx holds an NX-OS session's staged commands (nxsession.go); nil
	// for EOS sessions.
	nx *nxStage

	name  string
	cfg   *device.Config
	state string // pending, pendingCommitTimer, completed, aborted

	// A session committed with `commit timer` (state pendingCommitTimer)
	// keeps the configuration its commit replaced (pre), restored when
	// the timer fires before a confirming commit, and when it does
	// (expires).
	pre     *device.Config
	timer   *time.Timer
	expires time.Time
}

// dialect is what differs between EOS and NX-OS.
type dialect interface {
	grammar() grammar
	prompt(sh *shell) string
	// invalid renders a parse error for line typed at prompt.
	invalid(sh *shell, r parseResult, prompt, line string) string
	banner() string
}

// shell is one interactive CLI session.
type shell struct {
	srv  *Server
	dev  *device.Device
	d    dialect
	user string

	priv   bool
	level  mode // mExec/mPriv/mConf/mIf/mVlan
	ifs    []string
	vlans  []int
	sess   *configSession
	width  int
	length int

	awaitPassword bool
	quit          bool
	format        outputFormat
	served        int
	// turnStarted is set once the current chunk of client input has paid
	// its latency: the injected latency models the network, so it is
	// paid once per client round trip (one write of one or many lines),
	// not once per line of a pasted block.
	turnStarted bool
}

func (s *Server) newShell(user string) *shell {
	sh := &shell{srv: s, dev: s.dev, user: user, width: 80, length: 24}
	if s.dev.Platform() == device.PlatformNXOS {
		sh.d = nxosDialect{}
	} else {
		sh.d = eosDialect{}
	}
	sh.priv = s.opts.EnableSecret == ""
	sh.level = mExec
	if sh.priv {
		sh.level = mPriv
	}
	return sh
}

// runShell is the interactive loop: characters are echoed as they arrive
// (scrapligo waits for the echo of a command before sending the return);
// when a line ends (CR, LF, or CR LF) the output and the next prompt are
// written together with any pending echo, in one write.
func (s *Server) runShell(ch io.ReadWriter, user string) {
	sh := s.newShell(user)
	if _, err := io.WriteString(ch, sh.d.banner()+sh.d.prompt(sh)); err != nil {
		return
	}
	// Large enough for a pasted configuration block to arrive in one read,
	// so that it is one round trip.
	buf := make([]byte, 64<<10)
	var line []byte
	lastCR := false
	for !sh.quit {
		n, err := ch.Read(buf)
		sh.turnStarted = false
		if n > 0 {
			var out bytes.Buffer
			completed := false
			for _, b := range buf[:n] {
				switch {
				case b == '\n' && lastCR:
					lastCR = false
					continue
				case b == '\r' || b == '\n':
					lastCR = b == '\r'
					completed = true
					text := string(line)
					line = line[:0]
					if !sh.handleLine(&out, text) {
						if out.Len() > 0 {
							ch.Write(out.Bytes())
						}
						return
					}
					if sh.quit {
						break
					}
					continue
				case b == 0x7f || b == 0x08:
					if len(line) > 0 {
						line = line[:len(line)-1]
						if !sh.awaitPassword {
							out.WriteString("\b \b")
						}
					}
				case b == 0x03: // Ctrl-C abandons the line.
					line = line[:0]
					sh.awaitPassword = false
					out.WriteString("^C\r\n" + sh.d.prompt(sh))
				case b == 0x1a: // Ctrl-Z is end.
					line = line[:0]
					if sh.level&(mConf|mSub) != 0 {
						sh.level, sh.ifs, sh.vlans, sh.sess = mPriv, nil, nil, nil
					}
					out.WriteString("\r\n" + sh.d.prompt(sh))
				case b == '\t':
				case b >= 0x20:
					line = append(line, b)
					if !sh.awaitPassword {
						out.WriteByte(b)
					}
				}
				lastCR = false
			}
			if !completed && !sh.awaitPassword {
				sh.srv.echoes.Add(1)
			}
			if out.Len() > 0 {
				if _, err := ch.Write(out.Bytes()); err != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// handleLine runs one line and appends the newline, output and next
// prompt to out. It returns false when the connection must be dropped.
func (sh *shell) handleLine(out *bytes.Buffer, text string) bool {
	if sh.awaitPassword {
		sh.awaitPassword = false
		out.WriteString("\r\n")
		if text == sh.srv.opts.EnableSecret {
			sh.priv, sh.level = true, mPriv
		} else {
			out.WriteString("% Access denied\r\n")
		}
		out.WriteString(sh.d.prompt(sh))
		return true
	}
	out.WriteString("\r\n")
	if strings.TrimSpace(text) == "" {
		sh.srv.probes.Add(1)
		out.WriteString(sh.d.prompt(sh))
		return true
	}
	sh.served++
	if f := sh.dev.Faults(); f.DropAfter > 0 && sh.served > f.DropAfter {
		return false
	}
	sh.dev.CountCommand()
	if !sh.turnStarted {
		sh.turnStarted = true
		sh.srv.turns.Add(1)
		if !sh.srv.sleep(sh.dev.Delay()) {
			return false
		}
	}
	res := sh.exec(text)
	if res != "" {
		res = strings.ReplaceAll(res, "\r\n", "\n")
		if !strings.HasSuffix(res, "\n") {
			res += "\n"
		}
		out.WriteString(strings.ReplaceAll(res, "\n", "\r\n"))
	}
	if sh.quit {
		return true
	}
	if sh.awaitPassword {
		out.WriteString("Password: ")
		return true
	}
	out.WriteString(sh.d.prompt(sh))
	return true
}

// runExec serves an exec request (ssh switch 'show version'): one command
// in privileged mode when no enable secret is set.
func (s *Server) runExec(ch io.ReadWriter, command string) uint32 {
	sh := s.newShell("")
	s.dev.CountCommand()
	s.turns.Add(1)
	if !s.sleep(s.dev.Delay()) {
		return 1
	}
	out := sh.exec(command)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	io.WriteString(ch, out)
	return 0
}

// exec runs one command line and returns its output (errors included, in
// the device's wording).
func (sh *shell) exec(line string) string {
	line = ifSpace.ReplaceAllString(strings.TrimSpace(line), "$1$2")
	cmdPart, pipes := splitPipes(line)
	sh.format, pipes = extractFormat(pipes)
	if strings.HasPrefix(strings.ToLower(cmdPart), "do ") && sh.level&(mConf|mSub) != 0 {
		cmdPart = strings.TrimSpace(cmdPart[3:])
		saved := sh.level
		sh.level = mPriv
		defer func() { sh.level = saved }()
	}
	out, err := sh.run(cmdPart)
	if err != nil {
		var ce cliError
		if errors.As(err, &ce) {
			return string(ce)
		}
		return "% " + err.Error()
	}
	if len(pipes) > 0 {
		out, err = applyPipes(out, pipes)
		if err != nil {
			return err.Error()
		}
	}
	return out
}

// run parses and executes a command without pipes.
func (sh *shell) run(line string) (string, error) {
	g := sh.d.grammar()
	prompt := sh.d.prompt(sh)
	r := g.match(line, sh.level)
	if r.cmd == nil && sh.level&mSub != 0 && !r.ambiguous {
		// Sub-modes fall back to global configuration commands, leaving
		// the sub-mode as the real CLIs do.
		if r2 := g.match(line, mConf); r2.cmd != nil {
			sh.level, sh.ifs, sh.vlans = mConf, nil, nil
			r = r2
		}
	}
	if r.cmd == nil && sh.level&(mConf|mSub) != 0 && !r.ambiguous {
		// Exec commands (show, copy, ...) work in configuration modes.
		if r2 := g.match(line, mPriv); r2.cmd != nil && r2.cmd.modes&mConf == 0 {
			saved := sh.level
			sh.level = mPriv
			out, err := r2.cmd.run(sh, r2.args)
			if sh.level == mPriv {
				sh.level = saved
			}
			return out, err
		}
	}
	if r.cmd == nil && sh.level == mExec && !r.ambiguous {
		if r2 := g.match(line, mPriv); r2.cmd != nil {
			return "", cliError("% Invalid input (privileged mode required)")
		}
	}
	if r.cmd == nil {
		return "", cliError(sh.d.invalid(sh, r, prompt, line))
	}
	at := sh.modeContext()
	out, err := r.cmd.run(sh, r.args)
	if err == nil {
		sh.stage(r.cmd, line, at)
	}
	return out, err
}

// configTarget returns the configuration commands change: the session's
// copy, or nil for the running configuration.
func (sh *shell) apply(fn func(c *device.Config) error) error {
	if sh.sess != nil {
		c := sh.sess.cfg.Clone()
		if err := fn(c); err != nil {
			return err
		}
		sh.sess.cfg = c
		return nil
	}
	return sh.dev.Update(fn)
}

// view returns the configuration shows read: inside a configuration
// session EOS shows the running configuration, not the session's.
func (sh *shell) running() *device.Config {
	c := sh.dev.Running()
	return &c
}

// forEachIf applies fn to every interface of the current interface mode.
func (sh *shell) forEachIf(fn func(c *device.Config, in *device.Interface) error) error {
	return sh.apply(func(c *device.Config) error {
		for _, name := range sh.ifs {
			in, err := c.Interface(name)
			if err != nil {
				if !strings.HasPrefix(name, "Port-Channel") {
					return cliError("% Interface does not exist")
				}
				// A port-channel configured in a session that was removed
				// meanwhile is created again.
				if in, err = c.EnsurePortChannel(intent.LAGID(name)); err != nil {
					return err
				}
			}
			if err := fn(c, in); err != nil {
				return err
			}
		}
		return nil
	})
}

// splitPipes splits "show x | json | section y" into the command and the
// pipe stages.
func splitPipes(line string) (string, []string) {
	parts := pipeSplit.Split(line, -1)
	cmdPart := strings.TrimSpace(parts[0])
	var pipes []string
	for _, p := range parts[1:] {
		if p = strings.TrimSpace(p); p != "" {
			pipes = append(pipes, p)
		}
	}
	return cmdPart, pipes
}

// lastTokenError is the message for a bad value at the end of a command.
func invalidAt(tok int, s string) error {
	return cliError(fmt.Sprintf("%% Invalid input (at token %d: '%s')", tok, s))
}
