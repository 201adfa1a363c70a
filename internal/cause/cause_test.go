package cause

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, ""},
		{"typed", New(AuthFailed, "authentication failed for user admin"), AuthFailed},
		{"typed wrapped", fmt.Errorf("open: %w", New(HostKeyUnknown, "x")), HostKeyUnknown},
		{"outermost typed wins", Wrap(PlatformMismatch, New(ProtocolError, "inner"), "outer"), PlatformMismatch},
		{"deadline", fmt.Errorf("observe: %w", context.DeadlineExceeded), Timeout},
		{"conn deadline", fmt.Errorf("read: %w", os.ErrDeadlineExceeded), Timeout},
		{"canceled", context.Canceled, Interrupted},
		{"refused", fmt.Errorf("dial: %w", refused), Unreachable},
		{"no route", fmt.Errorf("dial: %w", syscall.EHOSTUNREACH), Unreachable},
		{"dns", &net.DNSError{Name: "leaf9.example", Err: "no such host", IsNotFound: true}, Unreachable},
		{"x509", fmt.Errorf("tls: %w", x509.UnknownAuthorityError{}), TLSVerifyFailed},
		{"other", errors.New("unexpected reply"), ProtocolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Of(tc.err); got != tc.want {
				t.Errorf("Of(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

func TestClassifyKeepsChainAndSaysOneLine(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, derr := (&net.Dialer{Timeout: time.Second}).Dial("tcp", addr)
	if derr == nil {
		t.Skip("port reused")
	}
	got := Classify(derr)
	var ce *Error
	if !errors.As(got, &ce) || ce.Code != Unreachable {
		t.Fatalf("Classify = %#v, want an UNREACHABLE *Error", got)
	}
	if !errors.Is(got, syscall.ECONNREFUSED) {
		t.Errorf("chain lost: %v", got)
	}
	if want := "cannot connect to " + addr + ": connection refused"; got.Error() != want {
		t.Errorf("message %q, want %q", got.Error(), want)
	}
	plain := errors.New("x")
	if Classify(plain) != plain {
		t.Error("an unclassified error must come back unchanged")
	}
}
