package kea

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// Kind is the inventory kind this driver serves.
const Kind = "kea"

// Register adds the Kea driver to r.
func Register(r *dhcp.Registry) error { return r.Register(Kind, New) }

// Server is a Kea DHCPv4 server behind its Control Agent.
type Server struct {
	configPath string
	// insecure: plain http:// to another machine, allowed by the inventory.
	insecure bool
	c        *client
	log      *slog.Logger
	// beforeSet, when set (tests), runs between config-test and the
	// re-read that guards config-set.
	beforeSet func()
}

// ErrConcurrentChange is returned when the server's configuration changed
// between netalign reading it and setting the new one; nothing was set.
// Observe and plan again.
var ErrConcurrentChange = errors.New("configuration changed by someone else during apply")

// concurrentChange is ErrConcurrentChange with its cause.
func concurrentChange() error {
	return cause.Wrap(cause.ConcurrentChange, ErrConcurrentChange, "the configuration changed during apply (someone else set it); nothing was set: plan again")
}

// sameJSON reports whether two JSON documents have the same meaning.
func sameJSON(a, b json.RawMessage) (bool, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	return reflect.DeepEqual(x, y), nil
}

var _ dhcp.Server = (*Server)(nil)

// New opens the driver for cfg: cfg.Endpoint is the Control Agent URL
// (default http://127.0.0.1:8000), cfg.Credentials the basic-auth
// references, cfg.TLS the CA for https, cfg.ConfigPath the file config-write
// saves to (empty: the running configuration is not saved). Credentials are
// never sent over plain http:// to another machine unless cfg.Insecure is
// set (INSECURE_TRANSPORT otherwise; a warning when it is). No connection is
// made until the first call.
func New(ctx context.Context, cfg inventory.DHCPServer, log *slog.Logger) (dhcp.Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("kind", Kind) // the engine tags the device
	u, err := endpointURL(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	creds, err := secret.Resolve(cfg.Credentials)
	if err != nil {
		return nil, err
	}
	c, err := newClient(u, creds, secret.Source(cfg.Credentials), cfg.TLS, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	insecure := cfg.Insecure && plainRemote(u)
	if insecure {
		log.Warn("insecure: true: the Control Agent is reached over plain http://; its credentials and the configuration travel in clear", "endpoint", u.Redacted())
	}
	return &Server{
		configPath: cfg.ConfigPath,
		c:          c,
		log:        log,
		insecure:   insecure,
	}, nil
}

// Insecure reports whether the server is reached over plain http:// to
// another machine (allowed by insecure: true), for reports.
func (s *Server) Insecure() bool { return s.insecure }

// Observe returns every subnet of the running configuration as a pool;
// netalign's are Owned.
func (s *Server) Observe(ctx context.Context) ([]intent.Pool, error) {
	d, err := s.configGet(ctx)
	if err != nil {
		return nil, err
	}
	pools, err := ParsePools(d)
	if err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	return pools, nil
}

// Apply rewrites netalign's subnets as one configuration transaction:
// config-get, rewrite, config-test, config-get again (ErrConcurrentChange
// when the configuration moved meanwhile), config-set, then config-write
// when a configuration path is set. A configuration Kea rejects is never set; the
// error is a *CommandError with Kea's reason. When config-write fails the
// previous configuration is set again, so the running and saved
// configurations do not diverge.
func (s *Server) Apply(ctx context.Context, changes []intent.PoolChange) error {
	if len(changes) == 0 {
		return nil
	}
	old, err := s.configGet(ctx)
	if err != nil {
		return err
	}
	pools, err := ParsePools(old)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	var owned []intent.Pool
	for _, p := range pools {
		if p.Owned {
			owned = append(owned, p)
		}
	}
	next, err := dhcp.ApplyChanges(owned, changes)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	return s.push(ctx, old, next)
}

// push makes owned the pools netalign holds on the server, starting from the
// running Dhcp4 configuration old.
func (s *Server) push(ctx context.Context, old json.RawMessage, owned []intent.Pool) error {
	cfg, err := Rewrite(old, owned)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	args := map[string]json.RawMessage{"Dhcp4": cfg}
	if _, err := s.c.call(ctx, "config-test", args); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if s.beforeSet != nil {
		s.beforeSet()
	}
	// Kea 2.2 has no configuration hash to make config-set conditional:
	// read again and refuse when someone changed the server meanwhile, so
	// that their change is not silently overwritten.
	now, err := s.configGet(ctx)
	if err != nil {
		return err
	}
	if same, err := sameJSON(old, now); err != nil || !same {
		return fmt.Errorf("apply: %w", concurrentChange())
	}
	if _, err := s.c.call(ctx, "config-set", args); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	s.log.InfoContext(ctx, "configuration set", "pools", len(owned))
	if s.configPath == "" {
		return nil
	}
	if _, err := s.c.call(ctx, "config-write", map[string]string{"filename": s.configPath}); err != nil {
		werr := fmt.Errorf("apply: %w", err)
		// Put the previous configuration back so that a restart does not
		// bring back something other than what is running.
		ctx := context.WithoutCancel(ctx)
		if _, rerr := s.c.call(ctx, "config-set", map[string]json.RawMessage{"Dhcp4": old}); rerr != nil {
			return errors.Join(werr, fmt.Errorf("restore previous configuration: %w", rerr))
		}
		return werr
	}
	return nil
}

// Close releases idle connections.
func (s *Server) Close() error {
	s.c.http.CloseIdleConnections()
	return nil
}

func (s *Server) configGet(ctx context.Context) (json.RawMessage, error) {
	args, err := s.c.call(ctx, "config-get", nil)
	if err != nil {
		return nil, err
	}
	d, err := Dhcp4(args)
	if err != nil {
		return nil, fmt.Errorf("config-get: %w", err)
	}
	return d, nil
}
