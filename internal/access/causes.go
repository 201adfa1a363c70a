package access

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/netalign/netalign/internal/cause"
)

// dialError is the cause of a failed TCP connect to addr within limit.
func dialError(ctx context.Context, addr string, limit time.Duration, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	switch cause.Of(err) {
	case cause.Timeout:
		return cause.Wrap(cause.Timeout, err, "no answer from %s within %v (TCP connect)", addr, limit)
	case cause.Interrupted:
		return cause.Wrap(cause.Interrupted, err, "interrupted while connecting to %s", addr)
	case cause.Unreachable:
		// The standard library's classification: refused, no route, a
		// name that does not resolve.
		return cause.Classify(err)
	}
	return cause.Wrap(cause.Unreachable, err, "cannot connect to %s: %s", addr, reason(err))
}

// handshakeError is the cause of a failed SSH handshake with t: the host
// key's verdict, the deadline or a cancellation, refused credentials, or
// the host closing the connection; spoke says whether the host sent
// anything (its banner, at least).
func handshakeError(ctx context.Context, t Target, limit time.Duration, spoke bool, keys *hostKeys, err error) error {
	if refused := keys.refused.Load(); refused != nil {
		return refused
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	switch c := cause.Of(err); {
	case c == cause.Interrupted:
		return cause.Wrap(cause.Interrupted, err, "interrupted while connecting to %s", t.Addr)
	case c == cause.Timeout && !spoke:
		return cause.Wrap(cause.Timeout, err, "no SSH banner from %s within %v: does the port speak SSH?", t.Addr, limit)
	case c == cause.Timeout:
		return cause.Wrap(cause.Timeout, err, "no answer from %s within %v during the SSH handshake", t.Addr, limit)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "ssh: unable to authenticate"):
		// crypto/ssh has no type for a refused login; its message is
		// stable.
		if t.Source == "" {
			return cause.Wrap(cause.AuthFailed, err, "authentication failed for user %s at %s", t.User, t.Addr)
		}
		return cause.Wrap(cause.AuthFailed, err, "authentication failed for user %s at %s (%s)", t.User, t.Addr, t.Source)
	case !spoke && closed(err):
		return cause.Wrap(cause.ProtocolError, err, "%s closed the connection before its SSH banner", t.Addr)
	case closed(err):
		return cause.Wrap(cause.ProtocolError, err, "%s closed the connection during the SSH handshake", t.Addr)
	}
	return cause.Wrap(cause.ProtocolError, err, "SSH handshake with %s failed: %s", t.Addr, strings.TrimPrefix(msg, "ssh: handshake failed: "))
}

// ctxError says why ctx ended what: TIMEOUT after limit, or INTERRUPTED.
func ctxError(ctx context.Context, what string, limit time.Duration) error {
	err := context.Cause(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return cause.Wrap(cause.Timeout, err, "%s: no answer within %v", what, limit)
	}
	return cause.Wrap(cause.Interrupted, err, "%s: interrupted", what)
}

// closed reports whether err is the peer closing or resetting the
// connection.
func closed(err error) bool {
	for _, e := range []error{io.EOF, net.ErrClosed, syscall.ECONNRESET, syscall.EPIPE} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// reason is the innermost message of a system call or path error
// ("connection refused", "no such file or directory").
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Err.Error()
	}
	return err.Error()
}

// WithTimeout is context.WithTimeout, and the deadline remembers d: a Dial
// or Do under ctx that runs out of time says "within d" rather than what
// was left of d when it started.
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	own := time.Now().Add(d)
	ctx, cancel := context.WithDeadline(ctx, own)
	if dl, _ := ctx.Deadline(); dl.Equal(own) {
		// An earlier deadline of the parent's binds otherwise.
		ctx = context.WithValue(ctx, budgetKey{}, budgetOf{deadline: own, timeout: d})
	}
	return ctx, cancel
}

type budgetKey struct{}

// budgetOf is the timeout a deadline was set with.
type budgetOf struct {
	deadline time.Time
	timeout  time.Duration
}

// budget is the timeout ctx's deadline stands for, for messages: the one
// WithTimeout set it with, else the time left until it.
func budget(ctx context.Context) time.Duration {
	dl, _ := ctx.Deadline()
	if b, ok := ctx.Value(budgetKey{}).(budgetOf); ok && b.deadline.Equal(dl) {
		return Round(b.timeout)
	}
	return Round(time.Until(dl))
}

// Round shortens a duration for messages ("within 300ms", "within 1.5s").
func Round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
