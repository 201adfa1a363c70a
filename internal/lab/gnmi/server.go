package gnmi

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	gpb "github.com/openconfig/gnmi/proto/gnmi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/netalign/netalign/internal/lab/device"
)

// Options configure one simulated switch's gNMI frontend.
type Options struct {
	// Username and Password the target accepts in the gRPC metadata
	// ("username", "password"). An empty Username accepts any caller.
	Username string
	Password string
	// CA signs the server certificate. When nil, the CA is loaded from or
	// created in Dir.
	CA  *CA
	Dir string
	// NetworkInstance is the name of the instance holding the VLANs
	// (default "default").
	NetworkInstance string
	// HideModels are left out of Capabilities, to simulate a target that
	// lacks a model.
	HideModels []string
	// Logger receives connection-level events; nil discards them.
	Logger *slog.Logger
}

// Server is the gNMI frontend of one simulated switch.
type Server struct {
	gpb.UnimplementedGNMIServer

	dev    *device.Device
	opts   Options
	ca     *CA
	log    *slog.Logger
	schema *schemaNode
	grpc   *grpc.Server

	mu     sync.Mutex
	prefs  map[string]lagPref
	ln     net.Listener
	conns  map[string]*trackedConn
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
}

// New returns the gNMI frontend of dev.
func New(dev *device.Device, opts Options) (*Server, error) {
	ca := opts.CA
	if ca == nil {
		if opts.Dir == "" {
			return nil, fmt.Errorf("gnmi frontend %s: no CA and no lab directory", dev.Name())
		}
		var err error
		if ca, err = LoadOrCreateCA(opts.Dir); err != nil {
			return nil, fmt.Errorf("gnmi frontend %s: %w", dev.Name(), err)
		}
	}
	cert, err := ca.ServerCertificate()
	if err != nil {
		return nil, fmt.Errorf("gnmi frontend %s: %w", dev.Name(), err)
	}
	if opts.NetworkInstance == "" {
		opts.NetworkInstance = "default"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		dev:    dev,
		opts:   opts,
		ca:     ca,
		log:    log.With("switch", dev.Name(), "frontend", "gnmi"),
		schema: newSchema(),
		prefs:  map[string]lagPref{},
		conns:  map[string]*trackedConn{},
		done:   make(chan struct{}),
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.grpc = grpc.NewServer(
		grpc.Creds(credentials.NewTLS(tc)),
		grpc.ChainUnaryInterceptor(s.intercept),
		grpc.ChainStreamInterceptor(s.interceptStream),
	)
	gpb.RegisterGNMIServer(s.grpc, s)
	return s, nil
}

// Device returns the simulated device behind the server.
func (s *Server) Device() *device.Device { return s.dev }

// CAFile is the CA certificate clients verify the target with.
func (s *Server) CAFile() string { return s.ca.File() }

// Listen starts serving on addr (127.0.0.1:0 for an ephemeral port) and
// returns the bound address.
func (s *Server) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("gnmi frontend %s: listen: %w", s.dev.Name(), err)
	}
	s.Serve(ln)
	return ln.Addr(), nil
}

// Serve accepts connections on ln in the background until Close.
func (s *Server) Serve(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.grpc.Serve(&faultListener{Listener: ln, s: s}); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			s.log.Debug("gnmi serve", "err", err)
		}
	}()
}

// Close stops the server, closing every connection.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.grpc.Stop()
	s.mu.Lock()
	conns := make([]*trackedConn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	s.wg.Wait()
	return nil
}

// Serve starts the gNMI frontend of dev on an ephemeral loopback port and
// returns its address, the CA file clients verify it with, and a stop
// function that ends it when called or when ctx is done.
func Serve(ctx context.Context, dev *device.Device, opts Options) (addr, caFile string, stop func(), err error) {
	s, err := New(dev, opts)
	if err != nil {
		return "", "", nil, err
	}
	a, err := s.Listen("127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	stopCtx := context.AfterFunc(ctx, func() { s.Close() })
	return a.String(), s.CAFile(), func() { stopCtx(); s.Close() }, nil
}

// Hook adapts Serve to the lab's frontend hook shape.
func Hook(opts Options) func(ctx context.Context, dev *device.Device) (string, func(), error) {
	return func(ctx context.Context, dev *device.Device) (string, func(), error) {
		addr, _, stop, err := Serve(ctx, dev, opts)
		return addr, stop, err
	}
}

// trackedConn counts the RPCs served on one connection, for the DropAfter
// fault, and delays its first read for SlowAccept.
type trackedConn struct {
	net.Conn
	s        *Server
	rpcs     int
	slowOnce sync.Once
	slow     time.Duration
}

func (c *trackedConn) Read(b []byte) (int, error) {
	c.slowOnce.Do(func() {
		if c.slow > 0 {
			t := time.NewTimer(c.slow)
			defer t.Stop()
			select {
			case <-t.C:
			case <-c.s.done:
			}
		}
	})
	return c.Conn.Read(b)
}

func (c *trackedConn) Close() error {
	c.s.mu.Lock()
	delete(c.s.conns, c.RemoteAddr().String())
	c.s.mu.Unlock()
	return c.Conn.Close()
}

// faultListener applies the connection-level faults: Blackhole holds
// connections without a word, SlowAccept delays the handshake.
type faultListener struct {
	net.Listener
	s *Server
}

func (l *faultListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		f := l.s.dev.Faults()
		if f.Blackhole {
			l.s.wg.Add(1)
			go func() {
				defer l.s.wg.Done()
				<-l.s.done
				c.Close()
			}()
			continue
		}
		tc := &trackedConn{Conn: c, s: l.s, slow: f.SlowAccept}
		l.s.mu.Lock()
		l.s.conns[c.RemoteAddr().String()] = tc
		l.s.mu.Unlock()
		return tc, nil
	}
}

// admit runs before every RPC: authentication, latency, command counting and
// the dropped-connection fault.
func (s *Server) admit(ctx context.Context) error {
	f := s.dev.Faults()
	if f.AuthFail || !s.authenticated(ctx) {
		return status.Error(codes.Unauthenticated, "authentication failed")
	}
	s.dev.CountCommand()
	if d := s.dev.Delay(); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-s.done:
			return status.Error(codes.Unavailable, "target shutting down")
		}
	}
	if f.DropAfter > 0 {
		if p, ok := peer.FromContext(ctx); ok {
			s.mu.Lock()
			c := s.conns[p.Addr.String()]
			drop := false
			if c != nil {
				c.rpcs++
				drop = c.rpcs > f.DropAfter
			}
			s.mu.Unlock()
			if drop {
				c.Close()
				return status.Error(codes.Unavailable, "connection dropped")
			}
		}
	}
	return nil
}

func (s *Server) authenticated(ctx context.Context) bool {
	if s.opts.Username == "" {
		return true
	}
	md, _ := metadata.FromIncomingContext(ctx)
	first := func(k string) string {
		if v := md.Get(k); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	u, p := first("username"), first("password")
	return subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) == 1
}

func (s *Server) intercept(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := s.admit(ctx); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

func (s *Server) interceptStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := s.admit(ss.Context()); err != nil {
		return err
	}
	return h(srv, ss)
}

// gnmiVersion is the gNMI service version of the proto the target serves.
func gnmiVersion() string {
	v, _ := proto.GetExtension(gpb.File_github_com_openconfig_gnmi_proto_gnmi_gnmi_proto.Options(), gpb.E_GnmiService).(string)
	return v
}

// Capabilities lists the served models, minus the hidden ones.
func (s *Server) Capabilities(context.Context, *gpb.CapabilityRequest) (*gpb.CapabilityResponse, error) {
	resp := &gpb.CapabilityResponse{
		SupportedEncodings: []gpb.Encoding{gpb.Encoding_JSON_IETF, gpb.Encoding_JSON},
		GNMIVersion:        gnmiVersion(),
	}
	for _, m := range Models() {
		if slices.Contains(s.opts.HideModels, m.Name) {
			continue
		}
		resp.SupportedModels = append(resp.SupportedModels, &gpb.ModelData{Name: m.Name, Organization: m.Organization, Version: m.Version})
	}
	return resp, nil
}

func (s *Server) lagPrefs() map[string]lagPref {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]lagPref, len(s.prefs))
	for k, v := range s.prefs {
		out[k] = v
	}
	return out
}

// Get answers each path with the subtree below it, one update per matching
// node (a list element without key matches every entry). Type CONFIG leaves
// the state containers out; STATE and OPERATIONAL are answered like ALL.
func (s *Server) Get(_ context.Context, req *gpb.GetRequest) (*gpb.GetResponse, error) {
	qualify := true
	switch req.GetEncoding() {
	case gpb.Encoding_JSON_IETF:
	case gpb.Encoding_JSON:
		qualify = false
	default:
		return nil, status.Errorf(codes.Unimplemented, "encoding %s is not supported (use JSON_IETF)", req.GetEncoding())
	}
	snap := s.dev.Snapshot()
	var t map[string]any
	if req.GetType() == gpb.GetRequest_CONFIG {
		t = configTree(snap.Config, s.opts.NetworkInstance, s.lagPrefs())
	} else {
		t = fullTree(snap, s.opts.NetworkInstance, s.lagPrefs())
	}
	now := time.Now().UnixNano()
	resp := &gpb.GetResponse{}
	paths := req.GetPath()
	if len(paths) == 0 {
		paths = []*gpb.Path{{}}
	}
	for _, p := range paths {
		elems, err := fullPath(req.GetPrefix(), p)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "%s: %v", pathString(p.GetElem()), err)
		}
		steps, err := resolve(s.schema, elems)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		matches := getAt(t, s.schema, steps, elems)
		if len(matches) == 0 {
			return nil, status.Errorf(codes.NotFound, "%s: no data", pathString(elems))
		}
		n := &gpb.Notification{Timestamp: now}
		for _, m := range matches {
			b, err := json.Marshal(toJSON(m.node, m.value, qualify, m.entry))
			if err != nil {
				return nil, status.Errorf(codes.Internal, "%s: %v", pathString(m.elems), err)
			}
			tv := &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: b}}
			if !qualify {
				tv = &gpb.TypedValue{Value: &gpb.TypedValue_JsonVal{JsonVal: b}}
			}
			n.Update = append(n.Update, &gpb.Update{Path: &gpb.Path{Elem: m.elems}, Val: tv})
		}
		resp.Notification = append(resp.Notification, n)
	}
	return resp, nil
}

// setOp is one validated operation of a SetRequest.
type setOp struct {
	op    gpb.UpdateResult_Operation
	path  *gpb.Path
	steps []step
	val   any
	name  string
}

// decodeTyped turns an Update's value into a JSON-like Go value. It is
// written independently of the openconfig driver's decoder on purpose: the
// simulator is the driver's test peer, and a shared decoder would let a bug
// on one side hide the same bug on the other.
func decodeTyped(tv *gpb.TypedValue) (any, error) {
	var raw []byte
	switch v := tv.GetValue().(type) {
	case *gpb.TypedValue_JsonIetfVal:
		raw = v.JsonIetfVal
	case *gpb.TypedValue_JsonVal:
		raw = v.JsonVal
	case *gpb.TypedValue_StringVal:
		return v.StringVal, nil
	case *gpb.TypedValue_BoolVal:
		return v.BoolVal, nil
	case *gpb.TypedValue_UintVal:
		return json.Number(fmt.Sprint(v.UintVal)), nil
	case *gpb.TypedValue_IntVal:
		return json.Number(fmt.Sprint(v.IntVal)), nil
	case nil:
		return nil, errors.New("no value")
	default:
		return nil, fmt.Errorf("value type %T is not supported (use json_ietf_val)", v)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: trailing data")
	}
	return out, nil
}

func (s *Server) prepare(prefix *gpb.Path, p *gpb.Path, op gpb.UpdateResult_Operation, tv *gpb.TypedValue) (setOp, error) {
	elems, err := fullPath(prefix, p)
	if err != nil {
		return setOp{}, fmt.Errorf("%s: %v", pathString(p.GetElem()), err)
	}
	name := pathString(elems)
	steps, err := resolve(s.schema, elems)
	if err != nil {
		return setOp{}, err
	}
	o := setOp{op: op, path: p, steps: steps, name: name}
	for i, st := range steps {
		wholeList := i == len(steps)-1 && len(elems[i].GetKey()) == 0
		if st.wild && op != gpb.UpdateResult_DELETE && !wholeList {
			return setOp{}, perr(name, "list %s needs its key %s", st.node.name, st.node.key)
		}
		if st.node.readOnly {
			return setOp{}, perr(name, "read-only (state) node")
		}
	}
	if op == gpb.UpdateResult_DELETE {
		return o, nil
	}
	v, err := decodeTyped(tv)
	if err != nil {
		return setOp{}, perr(name, "%v", err)
	}
	node, entry := s.schema, false
	if len(steps) > 0 {
		last := steps[len(steps)-1]
		node, entry = last.node, last.node.kind == kList && !last.wild
	}
	if o.val, err = normalize(node, v, name, entry); err != nil {
		return setOp{}, err
	}
	return o, nil
}

// Set applies a SetRequest as one transaction: deletes, then replaces, then
// updates, on the rendered configuration tree, mapped back onto the device
// in one device.Commit. Any failure changes nothing.
func (s *Server) Set(_ context.Context, req *gpb.SetRequest) (*gpb.SetResponse, error) {
	var ops []setOp
	add := func(p *gpb.Path, op gpb.UpdateResult_Operation, tv *gpb.TypedValue) error {
		o, err := s.prepare(req.GetPrefix(), p, op, tv)
		if err != nil {
			return err
		}
		ops = append(ops, o)
		return nil
	}
	for _, p := range req.GetDelete() {
		if err := add(p, gpb.UpdateResult_DELETE, nil); err != nil {
			return nil, setError(err)
		}
	}
	for _, u := range req.GetReplace() {
		if err := add(u.GetPath(), gpb.UpdateResult_REPLACE, u.GetVal()); err != nil {
			return nil, setError(err)
		}
	}
	for _, u := range req.GetUpdate() {
		if err := add(u.GetPath(), gpb.UpdateResult_UPDATE, u.GetVal()); err != nil {
			return nil, setError(err)
		}
	}
	if len(req.GetUnionReplace()) > 0 {
		return nil, status.Error(codes.Unimplemented, "union_replace is not supported")
	}
	ni := s.opts.NetworkInstance
	err := s.dev.Commit(func(c *device.Config) error {
		t := configTree(c, ni, s.lagPrefs())
		for _, o := range ops {
			var err error
			switch o.op {
			case gpb.UpdateResult_DELETE:
				err = deleteAt(t, o.steps, o.name)
			case gpb.UpdateResult_REPLACE:
				err = setAt(t, o.steps, o.val, true, o.name)
			default:
				err = setAt(t, o.steps, o.val, false, o.name)
			}
			if err != nil {
				return err
			}
		}
		prefs, err := applyTree(c, t, ni)
		if err != nil {
			return err
		}
		// Update swaps the clone in whenever fn returns nil, so the LAG
		// preferences change together with the configuration.
		s.mu.Lock()
		s.prefs = prefs
		s.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, setError(err)
	}
	resp := &gpb.SetResponse{Prefix: req.GetPrefix(), Timestamp: time.Now().UnixNano()}
	for _, o := range ops {
		resp.Response = append(resp.Response, &gpb.UpdateResult{Path: o.path, Op: o.op})
	}
	s.log.Debug("gnmi set committed", "operations", len(ops))
	return resp, nil
}

// setError maps a Set failure to its gRPC status.
func setError(err error) error {
	var pe *pathError
	switch {
	case errors.As(err, &pe):
		return status.Error(codes.InvalidArgument, pe.Error())
	case errors.Is(err, device.ErrCommitRejected):
		return status.Errorf(codes.Aborted, "commit rejected: %v", err)
	case errors.Is(err, device.ErrInvalid), errors.Is(err, device.ErrNoInterface), errors.Is(err, device.ErrModeMismatch):
		return status.Error(codes.InvalidArgument, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}
