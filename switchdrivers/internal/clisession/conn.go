package clisession

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
)

// Conn is a CLI driver's hold on one switch: at most one session at a
// time, reopened when a cancellation or a dropped connection broke it, and
// a lock that serialises the driver's operations on it.
type Conn struct {
	cfg     switchdrivers.Config
	scrapli string
	log     *slog.Logger
	failed  []string

	mu sync.Mutex
	s  *Session
	// spent counts the commands of sessions replaced since the last
	// commands call.
	spent int
}

// Dial opens the first session to cfg's device (see Open) for the driver
// of platform (eos, nxos) over the scrapligo platform scrapli. The logger,
// nil for none, is tagged with the platform.
func Dial(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger, platform, scrapli string, extraFailed ...string) (*Conn, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Conn{cfg: cfg, scrapli: scrapli, log: log.With("platform", platform), failed: extraFailed}
	s, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	c.s = s
	return c, nil
}

func (c *Conn) open(ctx context.Context) (*Session, error) {
	return Open(ctx, c.cfg, c.scrapli, c.log, c.failed...)
}

// Log is the driver's logger, tagged with its platform.
func (c *Conn) Log() *slog.Logger { return c.log }

// Session returns the open session, reconnecting when a cancellation or a
// dropped connection broke the previous one. Only the functions Observe and
// Apply run may call it: they hold the lock.
func (c *Conn) Session(ctx context.Context) (*Session, error) {
	if c.s != nil && !c.s.Broken() {
		return c.s, nil
	}
	if c.s != nil {
		c.spent += c.s.Commands()
		_ = c.s.Close()
		c.s = nil
	}
	s, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	c.s = s
	return s, nil
}

// commands returns how many commands were sent since the last call, over
// the current session and those it replaced, and resets the count.
func (c *Conn) commands() int {
	n := c.spent
	c.spent = 0
	if c.s != nil {
		n += c.s.Commands()
	}
	return n
}

// wrap names the operation in err: "observe: ...". The device is named by
// the caller (the engine), once.
func wrap(op string, err error) error {
	return fmt.Errorf("%s: %w", op, err)
}

// Observe is the frame both CLI drivers observe in: read runs the show
// commands over the session, under the lock. An error, the session's or
// read's, is an "observe" error ("observe: ...").
func (c *Conn) Observe(ctx context.Context, read func(ctx context.Context, s *Session) (*intent.SwitchState, error)) (*intent.SwitchState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.Session(ctx)
	if err != nil {
		return nil, wrap("observe", err)
	}
	st, err := read(ctx, s)
	if err != nil {
		return nil, wrap("observe", err)
	}
	return st, nil
}

// Apply is the frame both CLI drivers apply changes in: render turns the
// changes into lines (an error is an "apply" error); no line
// sends nothing; otherwise tx pushes the lines over the session, under the
// lock. The result lists the lines and the commands sent, those of a
// session tx had to reopen included. Errors from tx are returned as they
// are, with the result.
func (c *Conn) Apply(ctx context.Context, changes []intent.SwitchChange,
	render func([]intent.SwitchChange) ([]string, error),
	tx func(ctx context.Context, s *Session, res *switchdrivers.ApplyResult) error,
) (*switchdrivers.ApplyResult, error) {
	lines, err := render(changes)
	if err != nil {
		return nil, wrap("apply", err)
	}
	res := &switchdrivers.ApplyResult{Lines: lines}
	if len(lines) == 0 {
		return res, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.Session(ctx)
	if err != nil {
		return nil, wrap("apply", err)
	}
	c.commands()
	defer func() { res.Commands = c.commands() }()
	return res, tx(ctx, s, res)
}

// Close ends the session.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		return nil
	}
	err := c.s.Close()
	c.s = nil
	return err
}
