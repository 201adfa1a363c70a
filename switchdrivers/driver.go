package switchdrivers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// Driver talks to one switch.
type Driver interface {
	// Observe reads the switch's ports, LAGs (with LACP member state), VLANs,
	// trunks, MTU and LLDP neighbours.
	Observe(ctx context.Context) (*intent.SwitchState, error)
	// Apply pushes changes as one transaction: all of them or none. On
	// failure the device is left as it was and the error says whether the
	// rollback succeeded (see RollbackError).
	Apply(ctx context.Context, changes []intent.SwitchChange) (*ApplyResult, error)
	// Close ends the session.
	Close() error
}

// ApplyResult is what a transaction did.
type ApplyResult struct {
	// Lines are the configuration lines (or gNMI paths) pushed.
	Lines []string `json:"lines"`
	// Diff is the device's own view of the change (EOS session diff, NX-OS
	// session contents or, without sessions, checkpoint diff), when it has
	// one.
	Diff string `json:"diff,omitempty"`
	// Saved is true when running-config was copied to startup-config.
	Saved bool `json:"saved"`
	// Commands counts round trips to the device during the apply.
	Commands int `json:"commands"`
	// Cleaned names what earlier netalign runs left on the device that
	// this apply removed, kind first: "session netalign-0a1b2c3d",
	// "checkpoint netalign-0a1b2c3d".
	Cleaned []string `json:"cleaned,omitempty"`
}

// Config is everything a driver needs to reach one switch, built from the
// inventory by ConfigFor.
type Config struct {
	Name     string
	Platform string
	Protocol string
	// Host and Port of the device's SSH or gNMI endpoint.
	Host string
	Port int

	Username       string
	Password       secret.Secret
	EnablePassword secret.Secret
	KeyFile        string
	Agent          bool
	// CredentialSource says where the credentials came from, for messages
	// (secret.Source: "password from $SW_PASS (passwordEnv)"); never a
	// secret.
	CredentialSource string

	// KnownHosts is the known_hosts file verifying SSH host keys.
	KnownHosts string
	// TLS for gNMI.
	CAFile, CertFile, KeyPEMFile, ServerName string
	// Insecure skips host key / certificate verification; drivers log a
	// warning per device when it is set.
	Insecure bool

	// NetworkInstance is the OpenConfig network instance (default "default").
	NetworkInstance string
	// Timeout bounds single operations when ctx has no deadline.
	Timeout time.Duration
	// Save copies running-config to startup-config after a commit.
	Save bool
	// ConfirmTimeout is how long a commit stays unconfirmed before the
	// device reverts it by itself, on platforms whose commits can (see
	// Confirmer); zero commits without a timer.
	ConfirmTimeout time.Duration
}

// Factory opens a driver for one switch.
type Factory func(ctx context.Context, cfg Config, log *slog.Logger) (Driver, error)

// ErrNoDriver is returned by Registry.Open for platforms without a driver.
var ErrNoDriver = errors.New("no driver")

// ErrDuplicate is wrapped by Registry.Register when the platform already
// has a driver over the protocol.
var ErrDuplicate = errors.New("driver registered twice")

// Rules are what a driver's renderer accepts of inventory names. The
// registry hands them to inventory check (Registry.Inventory), so that what
// check accepts renders.
type Rules = inventory.PlatformRules

// Registry maps "platform/protocol" to a driver factory and its rules. It
// is filled explicitly (see switchdrivers/all), never by init side effects.
type Registry struct {
	factories map[string]Factory
	rules     map[string]Rules
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: map[string]Factory{}, rules: map[string]Rules{}}
}

// Register adds the factory for platform over protocol ("ssh" or "gnmi")
// and the rules of its renderer. A second driver for the same pair is
// refused with an error wrapping ErrDuplicate.
func (r *Registry) Register(platform, protocol string, f Factory, rules Rules) error {
	key := platform + "/" + protocol
	if _, dup := r.factories[key]; dup {
		return fmt.Errorf("switch driver %s: %w", key, ErrDuplicate)
	}
	r.factories[key] = f
	r.rules[key] = rules
	return nil
}

// Inventory returns what inventory check needs to know of the registered
// drivers: the platform/protocol pairs that can run, the rules of each, and
// the VLAN-name rule every renderer applies (CheckCLIWord).
func (r *Registry) Inventory() *inventory.SwitchDrivers {
	d := &inventory.SwitchDrivers{Drivers: make(map[string]Rules, len(r.rules)), VLANName: CheckCLIWord}
	for k, rules := range r.rules {
		d.Drivers[k] = rules
	}
	return d
}

// Platforms lists the registered "platform/protocol" keys, sorted.
func (r *Registry) Platforms() []string {
	out := make([]string, 0, len(r.factories))
	for k := range r.factories {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Open returns a driver for cfg, or an error wrapping ErrNoDriver that names
// the platform.
func (r *Registry) Open(ctx context.Context, cfg Config, log *slog.Logger) (Driver, error) {
	f, ok := r.factories[cfg.Platform+"/"+cfg.Protocol]
	if !ok {
		return nil, fmt.Errorf("%s: %w for platform %q over %s", cfg.Name, ErrNoDriver, cfg.Platform, cfg.Protocol)
	}
	d, err := f(ctx, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("%s: open: %w", cfg.Name, err)
	}
	return d, nil
}

// CommandError is a command the device refused. Device is for callers;
// the message does not name it (the engine does, once).
type CommandError struct {
	Device  string
	Command string
	Output  string
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("command %q: %s", e.Command, e.Output)
}

// RollbackError reports a failed transaction and what happened to the
// rollback. RolledBack is true when the device is back to its prior state.
// Device is for callers; the message does not name it.
type RollbackError struct {
	Device     string
	Err        error
	RolledBack bool
	// RollbackErr is set when the rollback itself failed.
	RollbackErr error
}

func (e *RollbackError) Error() string {
	if e.RolledBack {
		return fmt.Sprintf("%v (rolled back)", e.Err)
	}
	return fmt.Sprintf("%v (rollback failed: %v)", e.Err, e.RollbackErr)
}

func (e *RollbackError) Unwrap() error { return e.Err }

// Confirmer is implemented by drivers whose commits revert on their own
// unless confirmed (EOS `commit timer`, Junos `commit confirmed`): a
// netalign that dies between the commit and the check after it leaves the
// device as it was. The engine confirms a device's transaction once the
// device was observed again after the apply.
type Confirmer interface {
	// Pending reports whether the last Apply left a commit that reverts
	// unless confirmed, and when it reverts.
	Pending() (bool, time.Time)
	// Confirm makes the pending commit permanent (and saves it when the
	// driver saves). Without a pending commit it does nothing.
	Confirm(ctx context.Context) error
}
