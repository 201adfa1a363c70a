package openconfig

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/switchdrivers"
)

// Platform and Protocol are the inventory values this driver serves.
const (
	Platform = "openconfig"
	Protocol = "gnmi"
)

// DefaultTimeout bounds one RPC when neither ctx nor Config sets a deadline.
const DefaultTimeout = 30 * time.Second

// RequiredModels are the OpenConfig models the driver cannot work without.
// openconfig-lldp is optional: without it Observe reports no neighbours.
func RequiredModels() []string {
	return []string{
		"openconfig-interfaces",
		"openconfig-if-ethernet",
		"openconfig-if-aggregate",
		"openconfig-vlan",
		"openconfig-lacp",
		"openconfig-network-instance",
	}
}

const lldpModel = "openconfig-lldp"

// ErrMissingModel is wrapped by Open when the target lacks a needed model.
var ErrMissingModel = errors.New("target does not support a required model")

// Register adds the driver to r as platform "openconfig" over "gnmi".
func Register(r *switchdrivers.Registry) error {
	return r.Register(Platform, Protocol, func(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger) (switchdrivers.Driver, error) {
		return Open(ctx, cfg, log)
	}, switchdrivers.Rules{Port: checkPort})
}

// Driver is an open gNMI session to one switch.
type Driver struct {
	cfg    switchdrivers.Config
	log    *slog.Logger
	conn   *grpc.ClientConn
	client gpb.GNMIClient
	ni     string
	lldp   bool
}

var _ switchdrivers.Driver = (*Driver)(nil)

// passwordCreds sends username and password as gRPC metadata on every RPC,
// the way gNMI targets expect them (gNMI specification section 3.1).
type passwordCreds struct {
	username string
	password secret.Secret
}

func (p passwordCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"username": p.username, "password": p.password.Reveal()}, nil
}

func (passwordCreds) RequireTransportSecurity() bool { return true }

// TLSConfig builds the client TLS configuration of cfg: the CA file verifies
// the target (system roots when none is given), an optional client
// certificate authenticates netalign, and Insecure skips verification.
func TLSConfig(cfg switchdrivers.Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	if cfg.Insecure {
		tc.InsecureSkipVerify = true
	} else if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, cause.Wrap(cause.TLSVerifyFailed, err, "tls.ca %s cannot be read: %v", cfg.CAFile, errors.Unwrap(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, cause.New(cause.TLSVerifyFailed, "tls.ca %s holds no PEM certificate", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	if cfg.CertFile != "" || cfg.KeyPEMFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyPEMFile)
		if err != nil {
			return nil, cause.Wrap(cause.CredentialsMissing, err, "tls client certificate %s / key %s: %v", cfg.CertFile, cfg.KeyPEMFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Open connects to the target, reads its Capabilities and refuses a target
// that lacks a required model or the JSON_IETF encoding
// (PLATFORM_MISMATCH). The connection (TCP, TLS, HTTP/2) and each RPC end
// by cfg.Timeout or the ctx deadline, whichever is first.
func Open(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger) (*Driver, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("platform", Platform) // the engine tags the device
	if cfg.Port == 0 {
		cfg.Port = 6030
	}
	tc, err := TLSConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Insecure {
		log.Warn("gNMI TLS certificate verification is disabled for this device (insecure)")
	}
	var opts []grpc.DialOption
	if cfg.Username != "" || !cfg.Password.IsZero() {
		opts = append(opts, grpc.WithPerRPCCredentials(passwordCreds{username: cfg.Username, password: cfg.Password}))
	}
	d := &Driver{cfg: cfg, log: log, ni: cfg.NetworkInstance}
	if d.ni == "" {
		d.ni = defaultNIName
	}
	dctx, cancel := d.withTimeout(ctx)
	defer cancel()
	if d.conn, err = dial(dctx, cfg, tc, opts); err != nil {
		return nil, err
	}
	d.client = gpb.NewGNMIClient(d.conn)
	if err := d.checkCapabilities(ctx); err != nil {
		d.conn.Close()
		return nil, err
	}
	return d, nil
}

// withTimeout bounds one operation by cfg.Timeout (DefaultTimeout when
// unset); an earlier ctx deadline wins.
func (d *Driver) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	t := d.cfg.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return context.WithTimeout(ctx, t)
}

func (d *Driver) checkCapabilities(ctx context.Context) error {
	ctx, cancel := d.withTimeout(ctx)
	defer cancel()
	limit := budget(ctx)
	resp, err := d.client.Capabilities(ctx, &gpb.CapabilityRequest{})
	if err != nil {
		return rpcError(d.cfg, "capabilities", limit, err)
	}
	return d.acceptCapabilities(resp)
}

// acceptCapabilities checks a CapabilityResponse against what the driver
// needs and remembers whether LLDP can be read.
func (d *Driver) acceptCapabilities(resp *gpb.CapabilityResponse) error {
	have := map[string]string{}
	for _, m := range resp.GetSupportedModels() {
		have[m.GetName()] = m.GetVersion()
	}
	var missing []string
	for _, m := range RequiredModels() {
		if _, ok := have[m]; !ok {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return cause.Wrap(cause.PlatformMismatch, fmt.Errorf("%w: %s", ErrMissingModel, strings.Join(missing, ", ")),
			"capabilities: the target does not support %s, which netalign needs: is it an OpenConfig target (platform: openconfig)?", strings.Join(missing, ", "))
	}
	jsonIETF := false
	for _, e := range resp.GetSupportedEncodings() {
		if e == gpb.Encoding_JSON_IETF {
			jsonIETF = true
		}
	}
	if !jsonIETF {
		return cause.New(cause.PlatformMismatch, "capabilities: the target does not support the JSON_IETF encoding, which netalign needs")
	}
	_, d.lldp = have[lldpModel]
	if !d.lldp {
		d.log.Info("target does not advertise openconfig-lldp; LLDP neighbours will not be observed")
	}
	return nil
}

func (d *Driver) observePaths() []*gpb.Path {
	ps := []*gpb.Path{
		MustPath("/interfaces"),
		MustPath("/network-instances/network-instance[name=" + d.ni + "]/vlans"),
		MustPath("/lacp/interfaces"),
	}
	if d.lldp {
		ps = append(ps, MustPath("/lldp/interfaces"))
	}
	return ps
}

// get reads the observed subtrees. A path the target reports as NotFound
// (an empty LACP or LLDP tree on some targets) reads as empty.
func (d *Driver) get(ctx context.Context) (*ocDoc, int, error) {
	ctx, cancel := d.withTimeout(ctx)
	defer cancel()
	limit := budget(ctx)
	paths := d.observePaths()
	resp, err := d.client.Get(ctx, &gpb.GetRequest{Path: paths, Type: gpb.GetRequest_ALL, Encoding: gpb.Encoding_JSON_IETF})
	rpcs := 1
	var notifs []*gpb.Notification
	switch {
	case err == nil:
		notifs = resp.GetNotification()
	case status.Code(err) == codes.NotFound:
		for _, p := range paths {
			rpcs++
			r, err := d.client.Get(ctx, &gpb.GetRequest{Path: []*gpb.Path{p}, Type: gpb.GetRequest_ALL, Encoding: gpb.Encoding_JSON_IETF})
			if status.Code(err) == codes.NotFound {
				continue
			}
			if err != nil {
				return nil, rpcs, rpcError(d.cfg, "get "+PathString(p), limit, err)
			}
			notifs = append(notifs, r.GetNotification()...)
		}
	default:
		return nil, rpcs, rpcError(d.cfg, "get", limit, err)
	}
	doc, err := decodeDoc(notifs)
	if err != nil {
		return nil, rpcs, cause.Wrap(cause.ProtocolError, err, "get: %v", err)
	}
	return doc, rpcs, nil
}

// Observe reads interfaces, LAGs, LACP member state, VLANs and LLDP
// neighbours with one Get.
func (d *Driver) Observe(ctx context.Context) (*intent.SwitchState, error) {
	doc, _, err := d.get(ctx)
	if err != nil {
		return nil, err
	}
	st := stateFromDoc(doc, d.ni)
	st.Name, st.Platform = d.cfg.Name, Platform
	return st, nil
}

// nativeNames maps canonical interface names to the target's spelling.
func nativeNames(doc *ocDoc) map[string]string {
	m := map[string]string{}
	for _, i := range doc.Interfaces.Interface {
		m[canonicalName(i.Name, unqualify(firstNonEmpty(i.Config.Type, i.State.Type)))] = i.Name
	}
	return m
}

// Apply reads the current state (for incremental trunk edits and the
// target's interface spelling), then sends every change in one SetRequest.
// gNMI applies a SetRequest as a transaction, so a refused request leaves the
// target as it was; a request whose fate is unknown (connection lost, deadline
// passed) is reported as such.
func (d *Driver) Apply(ctx context.Context, changes []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	res := &switchdrivers.ApplyResult{}
	if len(changes) == 0 {
		return res, nil
	}
	doc, rpcs, err := d.get(ctx)
	res.Commands += rpcs
	if err != nil {
		return res, fmt.Errorf("read current state: %w", err)
	}
	cur := stateFromDoc(doc, d.ni)
	req, lines, err := BuildSetRequest(changes, Translation{NetworkInstance: d.ni, Current: cur, Names: nativeNames(doc)})
	if err != nil {
		return res, err
	}
	res.Lines = lines
	if len(req.Delete)+len(req.Replace)+len(req.Update) == 0 {
		return res, nil
	}
	sctx, cancel := d.withTimeout(ctx)
	defer cancel()
	limit := budget(sctx)
	res.Commands++
	d.log.Debug("gnmi set", "operations", len(lines))
	if _, err := d.client.Set(sctx, req); err != nil {
		st := status.Convert(err)
		// The cause, in front of the target's own words.
		cerr := rpcError(d.cfg, "set", limit, err)
		cerr.Err = &switchdrivers.CommandError{Device: d.cfg.Name, Command: "gnmi set", Output: st.Code().String() + ": " + st.Message()}
		switch st.Code() {
		case codes.InvalidArgument, codes.NotFound, codes.FailedPrecondition, codes.Aborted,
			codes.PermissionDenied, codes.Unauthenticated, codes.Unimplemented, codes.AlreadyExists,
			codes.OutOfRange, codes.ResourceExhausted:
			// The target refused the transaction: nothing was applied.
			return res, &switchdrivers.RollbackError{Device: d.cfg.Name, Err: cerr, RolledBack: true}
		}
		return res, &switchdrivers.RollbackError{Device: d.cfg.Name, Err: cerr,
			RollbackErr: fmt.Errorf("outcome of the set is unknown (%s): observe the device again", st.Code())}
	}
	return res, nil
}

// Close ends the gRPC connection.
func (d *Driver) Close() error {
	if err := d.conn.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}
