package clisession

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/opoptions"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/platform"
	"github.com/scrapli/scrapligo/util"

	"github.com/netalign/netalign/internal/access"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/switchdrivers"
)

// ErrClosed is returned for operations on a session that was closed, either
// by Close or because the context of an operation was cancelled.
var ErrClosed = errors.New("session closed")

// ErrorPrefix starts every error message EOS and NX-OS print for a refused
// configuration line ("% Invalid input", "% Incomplete command", "% VLAN ...").
const ErrorPrefix = "% "

// Session is one SSH CLI session to a switch in privileged exec mode.
type Session struct {
	name    string
	addr    string // host:port, for messages
	d       *network.Driver
	log     *slog.Logger
	timeout time.Duration
	failed  []string
	prompt  *regexp.Regexp
	// promptHost is the hostname the device's prompts start with, when
	// known: a cheap filter before the prompt pattern.
	promptHost string

	mu       sync.Mutex
	closed   bool
	commands int
}

// Open connects to cfg's device with the scrapligo platform (arista_eos,
// cisco_nxos) over its own SSH transport (see sshTransport), authenticates
// (password, key file, ssh-agent, enable secret), verifies the host key
// against cfg.KnownHosts unless cfg.Insecure (then it logs a warning for
// this device), reaches privileged exec mode and checks that the device is
// the platform it should be. The whole of it is bounded by ctx and the
// timeout; failures are *cause.Error. Extra failure strings are added to the
// platform's own for configuration lines.
func Open(ctx context.Context, cfg switchdrivers.Config, platformName string, log *slog.Logger, extraFailed ...string) (*Session, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = switchdrivers.DefaultTimeout
	}
	opTimeout, err := remaining(ctx, timeout)
	if err != nil {
		return nil, cause.Classify(err)
	}
	// One deadline for the whole open: connecting, logging in, the
	// terminal set-up. access.WithTimeout keeps opTimeout with it, for the
	// messages of the connect.
	ctx, cancel := access.WithTimeout(ctx, opTimeout)
	defer cancel()
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	tr := &sshTransport{}
	opts := []util.Option{
		options.WithCustomTransport(tr),
		options.WithPort(cfg.Port),
		options.WithAuthUsername(cfg.Username),
		options.WithTimeoutOps(opTimeout),
	}
	if !cfg.EnablePassword.IsZero() {
		opts = append(opts, options.WithAuthSecondary(cfg.EnablePassword.Reveal()))
	} else if !cfg.Password.IsZero() {
		// Without an enable secret, an enable prompt is answered with the
		// login password (a common setup: one credential for both).
		opts = append(opts, options.WithAuthSecondary(cfg.Password.Reveal()))
	}
	p, err := platform.NewPlatform(platformName, cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("platform %s: %w", platformName, err)
	}
	d, err := p.GetNetworkDriver()
	if err != nil {
		return nil, fmt.Errorf("platform %s: %w", platformName, err)
	}
	prompt, err := promptPrefix(d.PrivilegeLevels)
	if err != nil {
		return nil, fmt.Errorf("platform %s prompts: %w", platformName, err)
	}
	s := &Session{name: cfg.Name, addr: addr, d: d, log: log, timeout: timeout, prompt: prompt}
	s.failed = append(append([]string(nil), d.FailedWhenContains...), extraFailed...)
	as := cfg.Platform
	if as == "" {
		as = platformName
	}
	var loginText string
	if cp, ok := cliPlatforms[platformName]; ok {
		// The platform's own on-open sends the terminal set-up one round
		// trip a line.
		d.OnOpen = func(d *network.Driver) error {
			// The device prints its prompt on login: when it already is
			// privileged exec, scrapligo's own check (which sends a return
			// and reads the prompt, a round trip) is not needed.
			p, ok := s.loginPrompt(ctx, min(opTimeout, loginPromptWait))
			if ok && s.atDesiredLevel(p) {
				d.CurrentPriv = d.DefaultDesiredPriv
				s.learnPrompt(p)
			} else if err := d.AcquirePriv(d.DefaultDesiredPriv); err != nil {
				if !ok && looksLikePrompt(p) {
					loginText = p
				}
				return err
			}
			return s.setUp(ctx, as, cp)
		}
		// The platform's own on-close first reads the prompt (a round
		// trip) to find the mode; exit is just as good from any mode, and
		// the transport closes right after, so nothing waits for it.
		d.OnClose = func(d *network.Driver) error {
			return d.Channel.Write([]byte("exit"+string(d.Channel.ReturnChar)), false)
		}
	}

	if cfg.Insecure {
		log.Warn("SSH host key verification is DISABLED for this device (insecure: true)")
	}
	if err := tr.connect(ctx, cfg, addr, opTimeout); err != nil {
		return nil, err
	}
	// scrapligo's Open takes no context: a cancellation (or the deadline)
	// closes the channel, which makes the blocked open fail at once.
	opened := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		select {
		case <-opened:
		default:
			_ = d.Channel.Close()
		}
	})
	err = d.Open()
	close(opened)
	stop()
	if err != nil {
		_ = d.Channel.Close()
		_ = tr.Close()
		return nil, loginError(ctx, addr, cfg.Username, opTimeout, as, loginText, err)
	}
	// Batches find each line's reply by the device's own prompt: the
	// hostname, an optional mode in parentheses, then # or >. The terminal
	// set-up's replies ended with it; otherwise ask.
	if s.promptHost == "" {
		if p, err := d.Channel.GetPrompt(); err == nil {
			s.learnPrompt(string(p))
		}
	}
	log.Debug("ssh session open", "host", cfg.Host, "port", cfg.Port, "platform", platformName)
	return s, nil
}

// loginError is the cause of a failed login after the shell opened: a
// *cause.Error from the set-up is kept; a device that printed something
// but never a prompt of the platform is another platform; otherwise the
// deadline, or the session's end.
func loginError(ctx context.Context, addr, user string, timeout time.Duration, as, loginText string, err error) error {
	var ce *cause.Error
	switch {
	case errors.As(err, &ce):
		return err
	case loginText != "":
		return cause.Wrap(cause.PlatformMismatch, err, "the device does not answer as %s (its prompt '%s' is none of %s's)", as, excerpt(loginText), as)
	case errors.Is(ctx.Err(), context.Canceled):
		return cause.Wrap(cause.Interrupted, ctx.Err(), "interrupted while logging in to %s", addr)
	case ctx.Err() != nil, errors.Is(err, util.ErrTimeoutError):
		return cause.Wrap(cause.Timeout, err, "no CLI prompt from %s within %v", addr, access.Round(timeout))
	case errors.Is(err, util.ErrConnectionError):
		return cause.Wrap(cause.ProtocolError, fmt.Errorf("%w: %w", ErrConnectionLost, err), "%s closed the session during login", addr)
	case errors.Is(err, util.ErrPrivilegeError):
		// Logged in, but enable did not lead to privileged exec mode.
		return cause.Wrap(cause.AuthFailed, err, "%s did not grant privileged exec mode to user %s: check the enable secret (enablePasswordEnv; without one the login password is sent)", addr, user)
	}
	return cause.Wrap(cause.ProtocolError, err, "cannot reach privileged exec mode on %s: %v", addr, err)
}

// loginPromptWait bounds how long Open waits for the prompt a device prints
// on login before asking for it.
const loginPromptWait = 2 * time.Second

// loginPrompt reads what the device printed on login (banner, then prompt)
// until the last line is a prompt, and returns it. Without one within wait,
// what was read is put back for scrapligo, ok is false and prompt is the
// last line read, if any.
func (s *Session) loginPrompt(ctx context.Context, wait time.Duration) (prompt string, ok bool) {
	ch := s.d.Channel
	deadline := time.Now().Add(wait)
	var buf []byte
	for time.Now().Before(deadline) && ctx.Err() == nil {
		b, err := ch.Read()
		if err != nil {
			break
		}
		if b == nil {
			time.Sleep(time.Millisecond)
			continue
		}
		buf = append(buf, b...)
		last := strings.TrimRight(string(buf[bytes.LastIndexByte(buf, '\n')+1:]), " ")
		if loc := s.prompt.FindStringIndex(last); last != "" && loc != nil && loc[0] == 0 && loc[1] == len(last) {
			return last, true
		}
	}
	if len(buf) > 0 {
		ch.Q.Requeue(buf)
	}
	return lastLine(buf), false
}

// looksLikePrompt reports whether line ends as shell and CLI prompts do
// ("user@host:~$", "router>", "Password:"), unlike a banner line.
func looksLikePrompt(line string) bool {
	return line != "" && strings.ContainsAny(line[len(line)-1:], "#>$%:]")
}

// lastLine is the last line of b with text, trimmed.
func lastLine(b []byte) string {
	t := strings.TrimRight(string(b), " \r\n")
	return strings.TrimSpace(t[strings.LastIndexByte(t, '\n')+1:])
}

// atDesiredLevel reports whether prompt is the one of the privilege level
// scrapligo works in (privileged exec).
func (s *Session) atDesiredLevel(prompt string) bool {
	lvl, ok := s.d.PrivilegeLevels[s.d.DefaultDesiredPriv]
	if !ok {
		return false
	}
	for _, n := range lvl.NotContains {
		if strings.Contains(prompt, n) {
			return false
		}
	}
	re, err := regexp.Compile(lvl.Pattern)
	return err == nil && re.MatchString(prompt)
}

// learnPrompt narrows the prompt pattern to the device's own prompts, from
// one of them ("leaf1#").
func (s *Session) learnPrompt(p string) {
	if re := hostPrompt(p); re != nil {
		s.prompt = re
		pr := strings.TrimSpace(p)
		s.promptHost = pr[:strings.IndexAny(pr, "(#>")]
	}
}

// cliPlatform is what Open knows of a scrapligo platform beyond
// scrapligo's own definition.
type cliPlatform struct {
	// terminal is what the platform's own on-open sends after reaching
	// privileged exec mode (no paging, no wrapping); Open sends it in one
	// write with the version probe.
	terminal []string
	// versionKeys are keys only this platform's `show version | json`
	// prints (one of them is enough): a reply without any is another
	// platform's.
	versionKeys []string
}

// cliPlatforms are the scrapligo platforms Open sets up itself. EOS prints
// modelName; NX-OS prints nxos_ver_str (9.3 and later) or the older
// kickstart_ver_str and sys_ver_str.
var cliPlatforms = map[string]cliPlatform{
	"arista_eos": {terminal: []string{"terminal width 32767", "terminal length 0"}, versionKeys: []string{"modelName"}},
	"cisco_nxos": {terminal: []string{"terminal width 511", "terminal length 0"}, versionKeys: []string{"nxos_ver_str", "sys_ver_str", "kickstart_ver_str"}},
}

// versionProbe is the command whose reply tells the platform.
const versionProbe = "show version | json"

// setUp sends the terminal set-up and the version probe in one write,
// learns the device's prompt from the replies, and checks that the device
// is platform as (the inventory's name for it): a refused line or a
// version reply without the platform's keys is PLATFORM_MISMATCH.
func (s *Session) setUp(ctx context.Context, as string, cp cliPlatform) error {
	lines := append(append([]string(nil), cp.terminal...), versionProbe)
	segs, last, err := s.batchPrompt(ctx, lines)
	if err != nil {
		return err
	}
	s.learnPrompt(last)
	for i, seg := range segs {
		if out := strings.TrimSpace(seg); s.refused(out) {
			return cause.Wrap(cause.PlatformMismatch, &switchdrivers.CommandError{Device: s.name, Command: lines[i], Output: out},
				"the device does not answer as %s (it refused '%s': %s)", as, lines[i], excerpt(out))
		}
	}
	out := strings.TrimSpace(segs[len(segs)-1])
	var v map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return cause.Wrap(cause.PlatformMismatch, err, "the device does not answer as %s (its reply to '%s' is not JSON: %s)", as, versionProbe, excerpt(out))
	}
	for _, k := range cp.versionKeys {
		if _, ok := v[k]; ok {
			return nil
		}
	}
	return cause.New(cause.PlatformMismatch, "the device does not answer as %s (its reply to '%s' has no %s: %s)", as, versionProbe, strings.Join(cp.versionKeys, " or "), excerpt(out))
}

// excerptLen bounds the device text quoted in a message.
const excerptLen = 80

// excerpt is device text for a one-line message: whitespace runs folded
// to one space, cut to excerptLen characters.
func excerpt(out string) string {
	out = strings.Join(strings.Fields(out), " ")
	if r := []rune(out); len(r) > excerptLen {
		return string(r[:excerptLen]) + "..."
	}
	return out
}

// AtExec reports whether the CLI is known to be in privileged exec mode, as
// scrapligo tracks it: after Open, Exec and AssumeExec, not after lines sent
// with Send, SendLines or SendBatch.
func (s *Session) AtExec() bool { return s.d.CurrentPriv == s.d.DefaultDesiredPriv }

// AssumeExec records that the CLI is back in privileged exec mode, for a
// caller that knows it from the device's semantics (EOS's commit and abort
// end the configuration session there; NX-OS's end leaves configuration
// mode).
func (s *Session) AssumeExec() { s.d.CurrentPriv = s.d.DefaultDesiredPriv }

// modeUnknown makes the next Exec find the CLI's mode from its prompt
// before sending: lines sent as they are may have changed it.
func (s *Session) modeUnknown() { s.d.CurrentPriv = "" }

// remaining is the time left before ctx's deadline, or def without one.
func remaining(ctx context.Context, def time.Duration) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	dl, ok := ctx.Deadline()
	if !ok {
		return def, nil
	}
	d := time.Until(dl)
	if d <= 0 {
		return 0, context.DeadlineExceeded
	}
	return d, nil
}

// guard prepares one operation: it fails on a closed session or a done
// context, derives the scrapligo timeout from ctx, and arranges for the
// session to be torn down if ctx is cancelled or the timeout passes while
// the operation blocks (a write the device never reads blocks until then).
// The returned release must be called when the operation ends.
func (s *Session) guard(ctx context.Context) (time.Duration, func() error, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return 0, nil, ErrClosed
	}
	t, err := remaining(ctx, s.timeout)
	if err != nil {
		return 0, nil, err
	}
	opCtx, cancel := context.WithTimeout(ctx, t)
	stop := context.AfterFunc(opCtx, func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		_ = s.d.Channel.Close()
	})
	release := func() error {
		defer cancel()
		if stop() {
			return nil
		}
		// The teardown has started in its own goroutine; mark the session
		// closed here too so that nobody sees it usable in between.
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		return s.failure(t, fmt.Errorf("%w: %w", ErrClosed, opCtx.Err()))
	}
	return t, release, nil
}

// Commands returns how many commands were sent since the last call, and
// resets the count.
func (s *Session) Commands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.commands
	s.commands = 0
	return n
}

func (s *Session) count(n int) {
	s.mu.Lock()
	s.commands += n
	s.mu.Unlock()
}

// Exec runs cmd in privileged exec mode (scrapligo re-acquires it first) and
// returns its output. A reply containing one of the platform's error strings
// is a *switchdrivers.CommandError.
func (s *Session) Exec(ctx context.Context, cmd string) (string, error) {
	if strings.ContainsAny(cmd, "\r\n") {
		return "", fmt.Errorf("command %q has a line break", cmd)
	}
	if s.AtExec() {
		// The command and its return in one write: scrapligo's
		// SendCommand would wait for the echo before sending the return,
		// a second round trip on a real network.
		s.count(1)
		segs, err := s.batch(ctx, []string{cmd})
		if err != nil {
			return "", fmt.Errorf("%q: %w", cmd, err)
		}
		out := strings.TrimRight(segs[0], "\r\n ")
		if s.refused(out) {
			return "", &switchdrivers.CommandError{Device: s.name, Command: cmd, Output: strings.TrimSpace(out)}
		}
		return out, nil
	}
	// The mode is unknown: scrapligo reads the prompt and moves to
	// privileged exec first.
	t, release, err := s.guard(ctx)
	if err != nil {
		return "", err
	}
	s.count(1)
	// scrapligo strips the prompt by running the prompt pattern over the
	// whole reply, which costs more CPU than everything else an observation
	// does once replies are large JSON documents; the prompt is always the
	// reply's last line, so cut that line instead.
	r, err := s.d.SendCommand(cmd, opoptions.WithTimeoutOps(t), opoptions.WithNoStripPrompt())
	if rerr := release(); rerr != nil {
		return "", rerr
	}
	if err != nil {
		s.Abandon()
		return "", fmt.Errorf("%q: %w", cmd, s.failure(t, err))
	}
	out := s.cutPrompt(r.Result)
	// scrapligo's r.Failed matches its error strings anywhere in the reply;
	// only a line that starts with one is a refusal.
	if s.refused(out) {
		return "", &switchdrivers.CommandError{Device: s.name, Command: cmd, Output: strings.TrimSpace(out)}
	}
	return out, nil
}

// cutPrompt removes the trailing prompt line from a reply read with the
// prompt kept.
func (s *Session) cutPrompt(out string) string {
	i := strings.LastIndexByte(out, '\n')
	last := strings.TrimSpace(out[i+1:])
	if last == "" || !s.prompt.MatchString(last) {
		return out
	}
	if i < 0 {
		return ""
	}
	return strings.TrimRight(out[:i], "\r\n ")
}

// Send runs cmd as is, in whatever mode the CLI is in (configuration
// sessions, sub-modes), without scrapligo's privilege handling. Replies are
// checked against the platform's error strings plus the extra ones given to
// Open; a refusal is a *switchdrivers.CommandError.
func (s *Session) Send(ctx context.Context, cmd string) (string, error) {
	out, err := s.SendLines(ctx, []string{cmd})
	if len(out) == 1 {
		return out[0], err
	}
	return "", err
}

// SendLines sends lines one after the other in the current mode, each with
// its return in one write (one round trip a line), stopping at the first
// refused line. It returns the outputs of the lines sent; a refusal is a
// *switchdrivers.CommandError naming the line.
func (s *Session) SendLines(ctx context.Context, lines []string) ([]string, error) {
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("line %q has a line break", l)
		}
	}
	s.modeUnknown()
	var out []string
	for _, l := range lines {
		s.count(1)
		segs, err := s.batch(ctx, []string{l})
		if err != nil {
			return nil, fmt.Errorf("send configuration: %w", err)
		}
		o := strings.TrimSpace(segs[0])
		out = append(out, o)
		if s.refused(o) {
			return out, &switchdrivers.CommandError{Device: s.name, Command: l, Output: o}
		}
	}
	return out, nil
}

// Close ends the session; it is safe to call more than once and after a
// cancellation tore the session down.
func (s *Session) Close() error {
	s.mu.Lock()
	wasClosed := s.closed
	s.closed = true
	s.mu.Unlock()
	if wasClosed {
		_ = s.d.Channel.Close()
		return nil
	}
	if err := s.d.Close(); err != nil && !errors.Is(err, io.EOF) {
		// EOF: the device hung up on the exit first, as it should.
		_ = s.d.Channel.Close()
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// ErrConnectionLost is in the chain of errors from a session whose
// connection failed (the device closed it, a read failed).
var ErrConnectionLost = errors.New("connection lost")

// failure is the cause of an exchange that failed after t: no reply in
// time is TIMEOUT, a lost connection PROTOCOL_ERROR (wrapping
// ErrConnectionLost); a cancellation is left as it is (cause.Of: INTERRUPTED).
func (s *Session) failure(t time.Duration, err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, util.ErrTimeoutError):
		return cause.Wrap(cause.Timeout, err, "no reply from %s within %v", s.addr, access.Round(t))
	case errors.Is(err, util.ErrConnectionError):
		return cause.Wrap(cause.ProtocolError, fmt.Errorf("%w: %w", ErrConnectionLost, err), "connection to %s lost", s.addr)
	}
	return err
}

// Abandon tears the session down without a goodbye, after a transport
// failure, a timeout or when the CLI mode is unknown:
// the CLI is in an unknown state and must not be used again.
func (s *Session) Abandon() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	_ = s.d.Channel.Close()
}

// Broken reports whether the session was torn down (by a cancellation or a
// transport error) and must not be used again.
func (s *Session) Broken() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// NewName returns a unique configuration session or checkpoint name,
// prefix-<8 hex digits>.
func NewName(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}
