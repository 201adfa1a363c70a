package kea

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/access/accesstest"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/inventory"
)

// The answers below are the shapes the Kea 2.2 Control Agent sends: a list
// with one answer per service, or a bare object when the agent itself
// answers (for example on a wrong password).
func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name, in string
		want     response
		wantErr  bool
	}{
		{"service answer", `[ { "result": 0, "text": "Configuration seems sane." } ]`, response{Result: 0, Text: "Configuration seems sane."}, false},
		{"service error", `[ { "result": 1, "text": "subnet configuration failed: x" } ]`, response{Result: 1, Text: "subnet configuration failed: x"}, false},
		{"agent answer", `{ "result": 401, "text": "Unauthorized" }`, response{Result: 401, Text: "Unauthorized"}, false},
		{"two services", `[ { "result": 0 }, { "result": 0 } ]`, response{}, true},
		{"garbage", `<html>`, response{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeResponse([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(response{})); diff != "" {
				t.Errorf("decodeResponse (-want +got):\n%s", diff)
			}
		})
	}
}

// openKea opens the driver on endpoint with basic-auth credentials by
// reference.
func openKea(t *testing.T, cfg inventory.DHCPServer) (*Server, error) {
	t.Helper()
	t.Setenv("NETALIGN_TEST_KEA_USER", "kea-api")
	t.Setenv("NETALIGN_TEST_KEA_PASS", "kea-secret")
	cfg.Name, cfg.Kind = "kea1", Kind
	cfg.Credentials = inventory.Credentials{UsernameEnv: "NETALIGN_TEST_KEA_USER", PasswordEnv: "NETALIGN_TEST_KEA_PASS"}
	s, err := New(context.Background(), cfg, nil)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { s.Close() })
	return s.(*Server), nil
}

func TestClientCauses(t *testing.T) {
	t.Run("server that never answers", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer srv.Close()
		defer close(release)
		s, err := openKea(t, inventory.DHCPServer{Endpoint: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err = accesstest.Returns(t, func() error { _, err := s.Observe(ctx); return err })
		if cause.Of(err) != cause.Timeout {
			t.Fatalf("want TIMEOUT, got %s: %v", cause.Of(err), err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{ "result": 401, "text": "Unauthorized" }`)
		}))
		defer srv.Close()
		s, err := openKea(t, inventory.DHCPServer{Endpoint: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Observe(context.Background())
		if cause.Of(err) != cause.AuthFailed {
			t.Fatalf("want AUTH_FAILED, got %s: %v", cause.Of(err), err)
		}
		if msg := err.Error(); !strings.Contains(msg, `"kea-api"`) || !strings.Contains(msg, "$NETALIGN_TEST_KEA_PASS") || strings.Contains(msg, "kea-secret") {
			t.Errorf("message should name the user and the password's variable, never the password: %q", msg)
		}
	})
	t.Run("not a control agent", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<html>\n<body>Not Found</body></html>")
		}))
		defer srv.Close()
		s, err := openKea(t, inventory.DHCPServer{Endpoint: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Observe(context.Background())
		if cause.Of(err) != cause.PlatformMismatch || strings.Contains(err.Error(), "\n") {
			t.Fatalf("want PLATFORM_MISMATCH on one line, got %s: %q", cause.Of(err), err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		s, err := openKea(t, inventory.DHCPServer{Endpoint: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Observe(context.Background())
		if cause.Of(err) != cause.Unreachable {
			t.Fatalf("want UNREACHABLE, got %s: %v", cause.Of(err), err)
		}
	})
}

func TestCredentialsNeverInClear(t *testing.T) {
	t.Run("http to another machine is refused", func(t *testing.T) {
		// New makes no connection; the refusal comes before any client exists.
		_, err := openKea(t, inventory.DHCPServer{Endpoint: "http://192.0.2.53:8000"})
		if cause.Of(err) != cause.Insecure || !strings.Contains(err.Error(), "https://") || !strings.Contains(err.Error(), "insecure: true") {
			t.Fatalf("want INSECURE_TRANSPORT saying how to fix it, got %s: %v", cause.Of(err), err)
		}
	})
	t.Run("insecure: true allows it, warns and says so", func(t *testing.T) {
		var buf bytes.Buffer
		t.Setenv("NETALIGN_TEST_KEA_PASS", "kea-secret")
		s, err := New(context.Background(), inventory.DHCPServer{Name: "kea1", Kind: Kind, Endpoint: "http://192.0.2.53:8000", Insecure: true,
			Credentials: inventory.Credentials{Username: "kea-api", PasswordEnv: "NETALIGN_TEST_KEA_PASS"}}, slog.New(slog.NewTextHandler(&buf, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if !dhcp.IsInsecure(s) {
			t.Error("IsInsecure = false for plain http to another machine")
		}
		if !strings.Contains(buf.String(), "level=WARN") || strings.Contains(buf.String(), "kea-secret") {
			t.Errorf("want a warning without the secret, got %q", buf.String())
		}
	})
	t.Run("loopback and https are allowed", func(t *testing.T) {
		for _, ep := range []string{"http://127.0.0.1:8000", "http://[::1]:8000", "http://localhost:8000", "https://192.0.2.53:8000"} {
			s, err := openKea(t, inventory.DHCPServer{Endpoint: ep})
			if err != nil {
				t.Errorf("%s: %v", ep, err)
				continue
			}
			if dhcp.IsInsecure(s) {
				t.Errorf("%s: IsInsecure = true", ep)
			}
		}
	})
	t.Run("loopback server answers", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "kea-api" || p != "kea-secret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `[ { "result": 0, "arguments": { "Dhcp4": { "subnet4": [] } } } ]`)
		}))
		defer srv.Close()
		s, err := openKea(t, inventory.DHCPServer{Endpoint: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Observe(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
