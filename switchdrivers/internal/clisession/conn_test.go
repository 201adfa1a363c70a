package clisession_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// dialLab connects to a lab EOS switch, until the test ends.
func dialLab(t *testing.T) *clisession.Conn {
	t.Helper()
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	c, err := clisession.Dial(ctxT(t), sw.Config, nil, "eos", "arista_eos", clisession.ErrorPrefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestConnReconnectsAndCounts(t *testing.T) {
	ctx := ctxT(t)
	c := dialLab(t)
	// A transaction whose session breaks half way and goes on over a new
	// one (as an NX-OS rollback does): the result counts both.
	res, err := c.Apply(ctx, []intent.SwitchChange{{Name: "version"}}, showLines, func(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
		for range 2 {
			if _, err := s.Exec(ctx, "show version"); err != nil {
				return err
			}
		}
		s.Abandon()
		ns, err := c.Session(ctx)
		if err != nil {
			return err
		}
		if ns == s {
			return errors.New("the broken session was handed out again")
		}
		_, err = ns.Exec(ctx, "show version")
		return err
	})
	if err != nil || res.Commands != 3 {
		t.Fatalf("apply = %+v, %v; want 3 commands (two on the broken session, one on the new)", res, err)
	}
	// The next transaction starts its count afresh.
	res, err = c.Apply(ctx, []intent.SwitchChange{{Name: "version"}}, showLines, func(ctx context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
		_, err := s.SendLines(ctx, res.Lines)
		return err
	})
	if err != nil || res.Commands != 1 {
		t.Fatalf("apply = %+v, %v; want 1 command", res, err)
	}
}

func TestConnObserve(t *testing.T) {
	ctx := ctxT(t)
	c := dialLab(t)
	st, err := c.Observe(ctx, func(ctx context.Context, s *clisession.Session) (*intent.SwitchState, error) {
		out, err := s.Exec(ctx, "show hostname | json")
		return &intent.SwitchState{Hostname: out}, err
	})
	if err != nil || !strings.Contains(st.Hostname, "leaf1") {
		t.Fatalf("Observe = %+v, %v", st, err)
	}
	_, err = c.Observe(ctx, func(ctx context.Context, s *clisession.Session) (*intent.SwitchState, error) {
		_, err := s.Exec(ctx, "show bogus")
		return nil, err
	})
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || err.Error() != `observe: command "show bogus": % Invalid input (at token 1: 'bogus')` {
		t.Errorf("Observe = %q; want the operation named, not the device, the CommandError kept", err)
	}
}

// showLines renders each change as `show <name>`.
func showLines(cs []intent.SwitchChange) ([]string, error) {
	var out []string
	for _, ch := range cs {
		out = append(out, "show "+ch.Name)
	}
	return out, nil
}

func TestConnApply(t *testing.T) {
	ctx := ctxT(t)
	c := dialLab(t)
	called := false
	tx := func(ctx2 context.Context, s *clisession.Session, res *switchdrivers.ApplyResult) error {
		called = true
		_, err := s.SendLines(ctx2, res.Lines)
		return err
	}
	res, err := c.Apply(ctx, nil, showLines, tx)
	if err != nil || called || res.Commands != 0 {
		t.Fatalf("empty apply = %+v, %v (tx called: %v); want nothing sent", res, err, called)
	}
	res, err = c.Apply(ctx, []intent.SwitchChange{{Name: "version"}, {Name: "hostname"}}, showLines, tx)
	if err != nil || !called || res.Commands != 2 {
		t.Fatalf("apply = %+v, %v; want two commands", res, err)
	}
	_, err = c.Apply(ctx, []intent.SwitchChange{{Name: "x"}}, func([]intent.SwitchChange) ([]string, error) {
		return nil, errors.New("bad change")
	}, tx)
	if err == nil || err.Error() != "apply: bad change" {
		t.Errorf("render error = %v", err)
	}
}
