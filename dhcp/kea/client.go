package kea

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// Kea control command result codes.
const (
	ResultSuccess     = 0
	ResultError       = 1
	ResultUnsupported = 2
	ResultEmpty       = 3
)

// CommandError is a command Kea answered with a non-success result. Text is
// Kea's own message (for config-test, the reason the configuration was
// rejected).
type CommandError struct {
	Command string
	Result  int
	Text    string
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("%s: result %d: %s", e.Command, e.Result, e.Text)
}

// client speaks the Control Agent's HTTP API for one service (dhcp4).
type client struct {
	endpoint string
	http     *http.Client
	user     string
	password secret.Secret
}

type request struct {
	Command   string   `json:"command"`
	Service   []string `json:"service,omitempty"`
	Arguments any      `json:"arguments,omitempty"`
}

type response struct {
	Result    int             `json:"result"`
	Text      string          `json:"text"`
	Arguments json.RawMessage `json:"arguments"`
}

// newClient builds the HTTP client: basic auth from the resolved credentials,
// and for https endpoints the CA (and optional client certificate) from tls.
func newClient(endpoint string, creds secret.Resolved, tc *inventory.TLS) (*client, error) {
	if endpoint == "" {
		endpoint = "http://127.0.0.1:8000"
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // the Control Agent is reached directly, never through a proxy
	if tc != nil {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: tc.ServerName}
		if tc.CA != "" {
			pem, err := os.ReadFile(tc.CA)
			if err != nil {
				return nil, fmt.Errorf("tls ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("tls ca %s: no PEM certificate found", tc.CA)
			}
			cfg.RootCAs = pool
		}
		if tc.Cert != "" || tc.Key != "" {
			cert, err := tls.LoadX509KeyPair(tc.Cert, tc.Key)
			if err != nil {
				return nil, fmt.Errorf("tls client certificate: %w", err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		tr.TLSClientConfig = cfg
	}
	return &client{
		endpoint: endpoint,
		http:     &http.Client{Transport: tr},
		user:     creds.Username,
		password: creds.Password,
	}, nil
}

// call sends one command to the dhcp4 service and returns its arguments. A
// result other than success (or empty, for commands that may legitimately
// return nothing) is a *CommandError carrying Kea's text.
func (c *client) call(ctx context.Context, command string, args any) (json.RawMessage, error) {
	body, err := json.Marshal(request{Command: command, Service: []string{"dhcp4"}, Arguments: args})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.user != "" || !c.password.IsZero() {
		req.SetBasicAuth(c.user, c.password.Reveal())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: read response: %w", command, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: http %s: %s", command, resp.Status, strings.TrimSpace(string(data)))
	}
	r, err := decodeResponse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	if r.Result != ResultSuccess && !(r.Result == ResultEmpty && command != "config-test" && command != "config-set") {
		return nil, &CommandError{Command: command, Result: r.Result, Text: r.Text}
	}
	return r.Arguments, nil
}

// decodeResponse reads the Control Agent's answer: a list with one response
// per service, or a single object when the agent itself answers (for
// example an unknown service).
func decodeResponse(data []byte) (response, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var rs []response
		if err := json.Unmarshal(data, &rs); err != nil {
			return response{}, fmt.Errorf("decode response: %w", err)
		}
		if len(rs) != 1 {
			return response{}, errors.New("decode response: want one answer for service dhcp4")
		}
		return rs[0], nil
	}
	var r response
	if err := json.Unmarshal(data, &r); err != nil {
		return response{}, fmt.Errorf("decode response: %w", err)
	}
	return r, nil
}
