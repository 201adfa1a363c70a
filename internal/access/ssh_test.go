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
	if got := cause.Of(err); got != code {
		t.Fatalf("cause %s, want %s: %v", got, code, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("message %q lacks %q", err, p)
		}
	}
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
	return Target{Addr: srv.Addr, User: user, Auth: []ssh.AuthMethod{ssh.Password(password)},
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
		tg := Target{Addr: accesstest.SilentListener(t), User: user, KnownHosts: srv.KnownHosts, Timeout: 300 * time.Millisecond}
		err := accesstest.Returns(t, func() error { _, err := Dial(context.Background(), tg); return err })
		wantCause(t, err, cause.Timeout, "no SSH banner from "+tg.Addr, "300ms")
	})
	t.Run("cancel", func(t *testing.T) {
		tg := Target{Addr: accesstest.SilentListener(t), User: user, KnownHosts: srv.KnownHosts, Timeout: time.Hour}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := accesstest.Returns(t, func() error { _, err := Dial(ctx, tg); return err })
		wantCause(t, err, cause.Interrupted)
	})
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		tg := target(srv, pass)
		tg.Addr = addr
		_, err = Dial(context.Background(), tg)
		wantCause(t, err, cause.Unreachable, "cannot connect to "+addr)
	})
	t.Run("wrong password", func(t *testing.T) {
		_, err := Dial(context.Background(), target(srv, "wrong-"+pass))
		wantCause(t, err, cause.AuthFailed, `user "ops"`, "$SSH_PASS")
	})
	t.Run("host key mismatch", func(t *testing.T) {
		tg := target(srv, pass)
		tg.KnownHosts = accesstest.KnownHosts(t, srv.Addr, accesstest.OtherKey(t))
		_, err := Dial(context.Background(), tg)
		wantCause(t, err, cause.HostKeyMismatch, ssh.FingerprintSHA256(srv.HostKey), tg.KnownHosts+":1", "ssh-keygen -R", "ssh-keyscan")
	})
	t.Run("host key unknown", func(t *testing.T) {
		tg := target(srv, pass)
		tg.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(tg.KnownHosts, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Dial(context.Background(), tg)
		wantCause(t, err, cause.HostKeyUnknown, ssh.FingerprintSHA256(srv.HostKey), "ssh-keyscan")
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
		tg := target(srv, pass)
		tg.Timeout = 300 * time.Millisecond
		c, err := Dial(context.Background(), tg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = accesstest.Returns(t, func() error { return c.Run(context.Background(), "sleep", nil, io.Discard, io.Discard) })
		wantCause(t, err, cause.Timeout, `command "sleep"`)
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

func TestAuthMethods(t *testing.T) {
	_, err := AuthMethods(secret.Resolved{})
	wantCause(t, err, cause.CredentialsMissing)
	_, err = AuthMethods(secret.Resolved{KeyFile: filepath.Join(t.TempDir(), "id_missing")})
	wantCause(t, err, cause.CredentialsMissing, "id_missing")
	t.Setenv("SSH_AUTH_SOCK", "")
	_, err = AuthMethods(secret.Resolved{Agent: true})
	wantCause(t, err, cause.CredentialsMissing, "SSH_AUTH_SOCK")
	if m, err := AuthMethods(secret.Resolved{Password: secret.New(pass)}); err != nil || len(m) != 2 {
		t.Errorf("password: %d methods, %v; want password and keyboard-interactive", len(m), err)
	}
}
