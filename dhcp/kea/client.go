package kea

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/netalign/netalign/internal/cause"
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

// Bounds of one exchange with the Control Agent; the ctx deadline bounds
// the whole call (a config-set of a large configuration takes seconds).
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 60 * time.Second
	// callTimeout bounds a call whose ctx has no deadline (the restore
	// after a failed config-write runs without the caller's).
	callTimeout = 2 * time.Minute
	// maxResponse bounds the body read (a config-get of thousands of
	// subnets is a few MiB).
	maxResponse = 64 << 20
)

// client speaks the Control Agent's HTTP API for one service (dhcp4).
type client struct {
	endpoint string
	http     *http.Client
	user     string
	password secret.Secret
	// source says where the password came from (secret.Source).
	source string
	// caFile and serverName are what verifies an https endpoint, for the
	// TLS_VERIFY_FAILED message.
	caFile, serverName string
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

// DefaultEndpoint is the Control Agent's URL when the inventory gives none.
const DefaultEndpoint = "http://127.0.0.1:8000"

// endpointURL parses the Control Agent URL (http or https).
func endpointURL(endpoint string) (*url.URL, error) {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q: want http(s)://host[:port]", endpoint)
	}
	return u, nil
}

// isLoopback reports whether host (a URL's Hostname) is this machine:
// "localhost" or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// plainRemote reports whether u sends in clear over the network: http://
// to a host other than this machine.
func plainRemote(u *url.URL) bool { return u.Scheme == "http" && !isLoopback(u.Hostname()) }

// newClient builds the HTTP client: basic auth from the resolved credentials,
// and for https endpoints the CA (and optional client certificate) from tls.
// Credentials over http:// to another machine are refused (INSECURE_TRANSPORT)
// unless insecure is set.
func newClient(u *url.URL, creds secret.Resolved, source string, tc *inventory.TLS, insecure bool) (*client, error) {
	hasCreds := creds.Username != "" || !creds.Password.IsZero()
	if hasCreds && plainRemote(u) && !insecure {
		return nil, cause.New(cause.Insecure, "refusing to send the Control Agent credentials in clear over %s: use https:// (with tls.ca), or set insecure: true on the server", u.Redacted())
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 nil, // the Control Agent is reached directly, never through a proxy
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   2,
	}
	c := &client{endpoint: u.String(), http: &http.Client{Transport: tr}, user: creds.Username, password: creds.Password, source: source, serverName: u.Hostname()}
	if tc != nil {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: tc.ServerName}
		if tc.ServerName != "" {
			c.serverName = tc.ServerName
		}
		if tc.CA != "" {
			pem, err := os.ReadFile(tc.CA)
			if err != nil {
				return nil, cause.Wrap(cause.TLSVerifyFailed, err, "tls.ca %s cannot be read: %v", tc.CA, errors.Unwrap(err))
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, cause.New(cause.TLSVerifyFailed, "tls.ca %s holds no PEM certificate", tc.CA)
			}
			cfg.RootCAs = pool
			c.caFile = tc.CA
		}
		if tc.Cert != "" || tc.Key != "" {
			cert, err := tls.LoadX509KeyPair(tc.Cert, tc.Key)
			if err != nil {
				return nil, cause.Wrap(cause.CredentialsMissing, err, "tls client certificate %s / key %s: %v", tc.Cert, tc.Key, err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		tr.TLSClientConfig = cfg
	}
	return c, nil
}

// call sends one command to the dhcp4 service and returns its arguments. A
// result other than success (or empty, for commands that may legitimately
// return nothing) is a *CommandError carrying Kea's text. Transport failures
// carry their cause: UNREACHABLE, TIMEOUT, TLS_VERIFY_FAILED, AUTH_FAILED
// (401, 403), PLATFORM_MISMATCH (an answer that is not the Control
// Agent's JSON).
func (c *client) call(ctx context.Context, command string, args any) (json.RawMessage, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
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
		return nil, fmt.Errorf("%s: %w", command, c.transportError(ctx, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("%s: read response: %w", command, c.transportError(ctx, err))
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, cause.New(cause.AuthFailed, "%s: the Control Agent refused user %q (%s): HTTP %s", command, c.user, c.source, resp.Status)
	default:
		if !json.Valid(data) {
			return nil, notControlAgent(command, resp, data)
		}
		return nil, cause.New(cause.ProtocolError, "%s: HTTP %s: %s", command, resp.Status, oneLine(data))
	}
	r, err := decodeResponse(data)
	if err != nil {
		if !json.Valid(data) {
			return nil, notControlAgent(command, resp, data)
		}
		return nil, cause.Wrap(cause.ProtocolError, err, "%s: %v", command, err)
	}
	if r.Result != ResultSuccess && !(r.Result == ResultEmpty && command != "config-test" && command != "config-set") {
		return nil, &CommandError{Command: command, Result: r.Result, Text: r.Text}
	}
	return r.Arguments, nil
}

// transportError gives a failed exchange its cause, in one line.
func (c *client) transportError(ctx context.Context, err error) error {
	code := cause.Of(err)
	switch {
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded), code == cause.Timeout:
		return cause.Wrap(cause.Timeout, err, "no answer from the Control Agent at %s within the timeout", c.endpoint)
	case ctx.Err() != nil:
		return cause.Wrap(cause.Interrupted, err, "interrupted")
	case code == cause.TLSVerifyFailed:
		ca := "the system's CA certificates"
		if c.caFile != "" {
			ca = "CA file " + c.caFile
		}
		return cause.Wrap(code, err, "the certificate of %s did not verify with %s for server name %s (%s): set tls.ca to the CA that signed it, or tls.serverName to a name it holds",
			c.endpoint, ca, c.serverName, tlsReason(err))
	case code == cause.ProtocolError:
		return cause.Wrap(code, err, "exchange with the Control Agent at %s failed: %v", c.endpoint, innermost(err))
	}
	return cause.Wrap(code, err, "%s", cause.Describe(code, err))
}

// notControlAgent is an answer that is not JSON: something other than a
// Kea Control Agent listens at the endpoint.
func notControlAgent(command string, resp *http.Response, data []byte) error {
	return cause.New(cause.PlatformMismatch, "%s: the endpoint answered HTTP %s with %s, not a Kea Control Agent's JSON: is endpoint the Control Agent's URL? (%s)",
		command, resp.Status, cmp.Or(resp.Header.Get("Content-Type"), "no content type"), oneLine(data))
}

// oneLine is the start of a body for a message: one line, at most 120
// bytes, control characters removed.
func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// tlsReason is the x509 verdict of a failed verification, without the
// URL and operation prefixes around it.
func tlsReason(err error) string {
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		return ve.Err.Error()
	}
	return innermost(err).Error()
}

// innermost is the last error of err's Unwrap chain.
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
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
