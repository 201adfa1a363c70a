package access

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/access/accesstest"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/secret"
)

const (
	user = "ops"
	pass = "ssh-secret"
)

func wantCause(t *testing.T, err error, code cause.Code, parts ...string) {
	t.Helper()
	accesstest.WantCause(t, err, code, parts...)
	if strings.Contains(err.Error(), pass) {
		t.Errorf("message holds the password: %q", err)
	}
}

// blocking answers "sleep" by never exiting (until the connection is
// gone), and anything else by echoing its stdin.
func blocking(cmd string, ch ssh.Channel) uint32 {
	if cmd == "sleep" {
		for {
			if _, err := ch.Stderr().Write([]byte(".")); err != nil {
				return 0
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	_, _ = io.Copy(ch, ch)
	return 0
}

func target(srv *accesstest.Server, password string) Target {
	return Target{Addr: srv.Addr, User: user, Creds: secret.Resolved{Password: secret.New(password)},
		KnownHosts: srv.KnownHosts, Source: "password from $SSH_PASS (passwordEnv)", Timeout: 5 * time.Second}
}

func TestDialAndRun(t *testing.T) {
	srv := accesstest.StartServer(t, user, pass, blocking)
	c, err := Dial(context.Background(), target(srv, pass))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out strings.Builder
	if err := c.Run(context.Background(), "cat", strings.NewReader("hello"), &out, io.Discard); err != nil || out.String() != "hello" {
		t.Fatalf("Run = %q, %v", out.String(), err)
	}
}

func TestDialCauses(t *testing.T) {
	srv := accesstest.StartServer(t, user, pass, blocking)
	t.Run("silent port", func(t *testing.T) {
		tg := target(srv, pass)
		tg.Addr, tg.Timeout = accesstest.SilentListener(t), 300*time.Millisecond
		err := accesstest.Returns(t, func() error { _, err := Dial(context.Background(), tg); return err })
		wantCause(t, err, cause.Timeout, "no SSH banner from "+tg.Addr, "300ms")
	})
	t.Run("cancel", func(t *testing.T) {
		tg := target(srv, pass)
		tg.Addr, tg.Timeout = accesstest.SilentListener(t), time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := accesstest.Returns(t, func() error { _, err := Dial(ctx, tg); return err })
		wantCause(t, err, cause.Interrupted)
	})
	t.Run("refused", func(t *testing.T) {
		addr := accesstest.ClosedPort(t)
		tg := target(srv, pass)
		tg.Addr = addr
		_, err := Dial(context.Background(), tg)
		wantCause(t, err, cause.Unreachable, "cannot connect to "+addr, "connection refused")
	})
	t.Run("hang-up", func(t *testing.T) {
		tg := target(srv, pass)
		tg.Addr = accesstest.HangUpListener(t)
		_, err := Dial(context.Background(), tg)
		wantCause(t, err, cause.ProtocolError, "closed the connection before its SSH banner")
	})
	t.Run("wrong password", func(t *testing.T) {
		_, err := Dial(context.Background(), target(srv, "wrong-"+pass))
		wantCause(t, err, cause.AuthFailed, "user ops at "+srv.Addr, "$SSH_PASS")
	})
	t.Run("host key mismatch", func(t *testing.T) {
		tg := target(srv, pass)
		tg.KnownHosts = accesstest.KnownHosts(t, srv.Addr, accesstest.OtherKey(t))
		_, err := Dial(context.Background(), tg)
		wantCause(t, err, cause.HostKeyMismatch, ssh.FingerprintSHA256(srv.HostKey), tg.KnownHosts+":1", "ssh-keygen -R", "ssh-keyscan")
	})
	t.Run("no known_hosts", func(t *testing.T) {
		tg := target(srv, pass)
		tg.KnownHosts = ""
		_, err := Dial(context.Background(), tg)
		wantCause(t, err, cause.HostKeyUnknown, "knownHosts")
	})
	t.Run("host key unknown", func(t *testing.T) {
		tg := target(srv, pass)
		tg.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(tg.KnownHosts, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Dial(context.Background(), tg)
		_, port, _ := net.SplitHostPort(srv.Addr)
		wantCause(t, err, cause.HostKeyUnknown, ssh.FingerprintSHA256(srv.HostKey), "ssh-keyscan -p "+port+" 127.0.0.1 >> "+tg.KnownHosts)
	})
	t.Run("no known_hosts file", func(t *testing.T) {
		tg := target(srv, pass)
		tg.KnownHosts = filepath.Join(t.TempDir(), "missing")
		_, err := Dial(context.Background(), tg)
		wantCause(t, err, cause.HostKeyUnknown, "does not exist", ssh.FingerprintSHA256(srv.HostKey))
	})
}

func TestRunBounded(t *testing.T) {
	srv := accesstest.StartServer(t, user, pass, blocking)
	t.Run("deadline", func(t *testing.T) {
		c, err := Dial(context.Background(), target(srv, pass))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// The target's Timeout bounds each command; set here, not in the
		// target, so that a slow handshake cannot fail the test.
		c.timeout = 300 * time.Millisecond
		err = accesstest.Returns(t, func() error { return c.Run(context.Background(), "sleep", nil, io.Discard, io.Discard) })
		wantCause(t, err, cause.Timeout, `command "sleep" on `+srv.Addr, "within 300ms")
		if !c.Broken() {
			t.Error("the client is not Broken after its connection was closed")
		}
	})
	t.Run("cancel", func(t *testing.T) {
		c, err := Dial(context.Background(), target(srv, pass))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		err = accesstest.Returns(t, func() error { return c.Run(ctx, "sleep", nil, io.Discard, io.Discard) })
		wantCause(t, err, cause.Interrupted)
	})
}

// A host offering several key types (as OpenSSH does) is checked against
// the type known_hosts records for it: crypto/ssh prefers ecdsa to ed25519
// and would otherwise compare the ecdsa key with the ed25519 line.
func TestDialNegotiatesRecordedKeyType(t *testing.T) {
	srv := accesstest.StartServer(t, user, pass, blocking, accesstest.NewECDSASigner(t))
	c, err := Dial(context.Background(), target(srv, pass))
	if err != nil {
		t.Fatalf("Dial with the ed25519 key in known_hosts: %v", err)
	}
	c.Close()

	tg := target(srv, pass)
	other := accesstest.OtherKey(t)
	tg.KnownHosts = accesstest.KnownHosts(t, srv.Addr, other)
	_, err = Dial(context.Background(), tg)
	wantCause(t, err, cause.HostKeyMismatch, "it offers ssh-ed25519 "+ssh.FingerprintSHA256(srv.HostKey), ssh.FingerprintSHA256(other))
}

// The ssh-agent connection is closed once the handshake is over, whether
// it succeeded or not.
func TestDialClosesAgent(t *testing.T) {
	ag := accesstest.StartAgent(t, accesstest.NewKey(t))
	srv := accesstest.StartServer(t, user, pass, blocking)
	for _, password := range []string{pass, "wrong-" + pass} {
		tg := target(srv, password)
		tg.Creds.Agent = true
		c, err := Dial(context.Background(), tg)
		if err == nil {
			defer c.Close()
		}
		select {
		case <-ag.Ended:
		case <-time.After(10 * time.Second):
			t.Fatalf("Dial (err %v) left its ssh-agent connection open", err)
		}
	}
}

func TestAuthMethods(t *testing.T) {
	ctx := context.Background()
	_, _, err := authMethods(ctx, user, secret.Resolved{})
	wantCause(t, err, cause.CredentialsMissing, "user ops")
	_, _, err = authMethods(ctx, user, secret.Resolved{KeyFile: filepath.Join(t.TempDir(), "id_missing")})
	wantCause(t, err, cause.CredentialsMissing, "id_missing", "no such file")
	t.Setenv("SSH_AUTH_SOCK", "")
	_, _, err = authMethods(ctx, user, secret.Resolved{Agent: true})
	wantCause(t, err, cause.CredentialsMissing, "SSH_AUTH_SOCK")
	t.Setenv("SSH_AUTH_SOCK", filepath.Join(t.TempDir(), "no-agent.sock"))
	_, _, err = authMethods(ctx, user, secret.Resolved{Agent: true})
	wantCause(t, err, cause.CredentialsMissing, "cannot reach ssh-agent")
	if m, closeAgent, err := authMethods(ctx, user, secret.Resolved{Password: secret.New(pass)}); err != nil || len(m) != 2 {
		t.Errorf("password: %d methods, %v; want password and keyboard-interactive", len(m), err)
	} else {
		closeAgent()
	}
}

// Messages name the timeout a deadline was set with, whichever layer set
// it, and what is left of a plain context's deadline.
func TestBudget(t *testing.T) {
	outer, cancel := WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	time.Sleep(20 * time.Millisecond)
	inner, cancel2 := WithTimeout(outer, time.Hour) // the outer deadline binds
	defer cancel2()
	if got := budget(inner); got != 300*time.Millisecond {
		t.Errorf("budget under an earlier WithTimeout = %v, want 300ms", got)
	}
	own, cancel3 := WithTimeout(outer, 100*time.Millisecond)
	defer cancel3()
	if got := budget(own); got != 100*time.Millisecond {
		t.Errorf("budget of its own timeout = %v, want 100ms", got)
	}
	plain, cancel4 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel4()
	time.Sleep(20 * time.Millisecond)
	if got := budget(plain); got > 10*time.Second || got < 9*time.Second {
		t.Errorf("budget of a plain deadline = %v, want what is left of 10s", got)
	}
}
