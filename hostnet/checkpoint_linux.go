package hostnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
)

// Checkpoint files: Apply writes <dir>/host-checkpoint-<random>.json (0600)
// before its first write. The watchdog renames it to ….restoring while it
// restores and removes it afterwards, or renames it to ….failed when the
// restore failed; Apply's disarm (through the watchdog) removes it. While a
// file exists, the processes it belongs to hold a shared flock on it, so a
// file nobody holds belongs to runs that are gone.
const (
	checkpointPrefix  = "host-checkpoint-"
	checkpointVersion = 1
	// maxCheckpointSize bounds a checkpoint file before it is parsed: a
	// host with a few hundred links and all 4094 VLANs on a few ports
	// encodes to a few MB.
	maxCheckpointSize = 64 << 20
)

// checkpointFile is what the watchdog restores from.
type checkpointFile struct {
	Version int    `json:"version"`
	Host    string `json:"host"`
	// NetNS is the network namespace path the Host was opened in; empty:
	// the namespace of the process (the watchdog inherits it).
	NetNS string `json:"netns,omitempty"`
	// Owner is the process id of the Apply that armed it.
	Owner    int       `json:"owner"`
	Armed    time.Time `json:"armed"`
	Deadline time.Time `json:"deadline"`
	// State and Routes are the checkpoint: the host and its main-table
	// routes before the first write.
	State  *intent.HostState `json:"state"`
	Routes []savedRoute      `json:"routes"`
	// Creates are the links the changes create (absent from State): the
	// restore deletes those that exist.
	Creates []string `json:"creates,omitempty"`
}

// savedRoute is the part of a netlink.Route the restore re-adds; multipath,
// encapsulation and MPLS routes are not kept.
type savedRoute struct {
	Family    int    `json:"family"`
	Table     int    `json:"table,omitempty"`
	Dst       string `json:"dst,omitempty"`
	Src       string `json:"src,omitempty"`
	Gw        string `json:"gw,omitempty"`
	LinkIndex int    `json:"linkIndex,omitempty"`
	Priority  int    `json:"priority,omitempty"`
	Protocol  int    `json:"protocol,omitempty"`
	Scope     int    `json:"scope,omitempty"`
	Type      int    `json:"type,omitempty"`
	Tos       int    `json:"tos,omitempty"`
	Flags     int    `json:"flags,omitempty"`
	MTU       int    `json:"mtu,omitempty"`
}

func saveRoutes(rs []netlink.Route) []savedRoute {
	out := make([]savedRoute, 0, len(rs))
	for _, r := range rs {
		if len(r.MultiPath) > 0 || r.Encap != nil || r.MPLSDst != nil {
			continue
		}
		s := savedRoute{Family: r.Family, Table: r.Table, LinkIndex: r.LinkIndex, Priority: r.Priority,
			Protocol: int(r.Protocol), Scope: int(r.Scope), Type: r.Type, Tos: r.Tos, Flags: r.Flags, MTU: r.MTU}
		if r.Dst != nil {
			s.Dst = r.Dst.String()
		}
		if r.Src != nil {
			s.Src = r.Src.String()
		}
		if r.Gw != nil {
			s.Gw = r.Gw.String()
		}
		out = append(out, s)
	}
	return out
}

func loadRoutes(ss []savedRoute) ([]netlink.Route, error) {
	out := make([]netlink.Route, 0, len(ss))
	for _, s := range ss {
		r := netlink.Route{Family: s.Family, Table: s.Table, LinkIndex: s.LinkIndex, Priority: s.Priority,
			Protocol: netlink.RouteProtocol(s.Protocol), Scope: netlink.Scope(s.Scope), Type: s.Type, Tos: s.Tos, Flags: s.Flags, MTU: s.MTU}
		if s.Dst != "" {
			_, dst, err := net.ParseCIDR(s.Dst)
			if err != nil {
				return nil, fmt.Errorf("route dst %q: %w", s.Dst, err)
			}
			r.Dst = dst
		}
		for _, a := range []struct {
			s  string
			ip *net.IP
		}{{s.Src, &r.Src}, {s.Gw, &r.Gw}} {
			if a.s == "" {
				continue
			}
			if *a.ip = net.ParseIP(a.s); *a.ip == nil {
				return nil, fmt.Errorf("route address %q is not an IP address", a.s)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// plannedCreates lists the links changes create: bonds, bridges and VLAN
// devices that the checkpoint does not have.
func plannedCreates(changes []intent.HostChange, cp *intent.HostState) []string {
	var out []string
	for _, c := range changes {
		switch c.Object {
		case intent.ObjBond, intent.ObjBridge, intent.ObjSubIf:
			if c.Action != intent.Delete && cp.Link(c.Name) == nil {
				out = append(out, c.Name)
			}
		}
	}
	return out
}

// writeCheckpoint writes cf into dir under a new name, atomically (a
// temporary file renamed into place) and holding a shared flock on it,
// and returns the path and the held file.
func writeCheckpoint(dir string, cf *checkpointFile) (string, *os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("checkpoint directory: %w", err)
	}
	// The watchdog restores what the file says, as root: the directory
	// must be ours alone.
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return "", nil, fmt.Errorf("checkpoint directory: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Geteuid() || st.Mode&0o022 != 0 {
		return "", nil, fmt.Errorf("checkpoint directory %s: not a directory owned by uid %d and writable by it alone", dir, os.Geteuid())
	}
	b, err := json.Marshal(cf)
	if err != nil {
		return "", nil, fmt.Errorf("encode checkpoint: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tmp-"+checkpointPrefix+"*.json") // 0600
	if err != nil {
		return "", nil, fmt.Errorf("write checkpoint: %w", err)
	}
	fail := func(err error) (string, *os.File, error) {
		f.Close()
		os.Remove(f.Name())
		return "", nil, fmt.Errorf("write checkpoint %s: %w", f.Name(), err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
		return fail(err)
	}
	if _, err := f.Write(b); err != nil {
		return fail(err)
	}
	path := filepath.Join(dir, strings.TrimPrefix(filepath.Base(f.Name()), ".tmp-"))
	if err := os.Rename(f.Name(), path); err != nil {
		return fail(err)
	}
	return path, f, nil
}

// readCheckpoint reads and checks a checkpoint file from f.
func readCheckpoint(f *os.File) (*checkpointFile, error) {
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpointSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCheckpointSize {
		return nil, fmt.Errorf("larger than %d MiB", maxCheckpointSize>>20)
	}
	var cf checkpointFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cf); err != nil {
		return nil, err
	}
	if cf.Version != checkpointVersion {
		return nil, fmt.Errorf("version %d, this netalign reads version %d", cf.Version, checkpointVersion)
	}
	if cf.State == nil {
		return nil, errors.New("no host state")
	}
	return &cf, nil
}

// settlePending waits until no other process holds a checkpoint in dir:
// another apply's transaction on this host, or a watchdog restoring after
// its netalign died. A checkpoint that nobody holds any more (netalign and
// its watchdog were both killed, or the watchdog's restore failed) stops
// the apply with ErrPendingCheckpoint: the host may be half-changed, and
// taking it as the new checkpoint would make that state the one to go back
// to. Waiting ends with ctx (cause CONCURRENT_CHANGE).
func settlePending(ctx context.Context, dir string, log *slog.Logger) error {
	logged := false
	for {
		busy, err := pendingCheckpoints(dir)
		if err != nil || len(busy) == 0 {
			return err
		}
		if !logged {
			log.Info("waiting for another process's host transaction to end (it holds a checkpoint)", "checkpoints", busy)
			logged = true
		}
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return cause.Wrap(cause.ConcurrentChange, ctx.Err(),
				"another netalign process's host transaction is still in flight (%s)", strings.Join(busy, ", "))
		case <-t.C:
		}
	}
}

// pendingCheckpoints returns the checkpoint files of dir that a live
// process holds, or an error naming one that nobody holds.
func pendingCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	var busy []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), checkpointPrefix) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		held, err := checkpointHeld(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("checkpoint %s: %w", path, err)
		case held:
			busy = append(busy, path)
		default:
			return nil, orphanError(path)
		}
	}
	return busy, nil
}

// checkpointHeld reports whether a live process holds path (fs.ErrNotExist
// when it went away meanwhile).
func checkpointHeld(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer unix.Flock(int(f.Fd()), unix.LOCK_UN)
	// The holder may have removed it and exited between open and flock.
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	li, err := os.Lstat(path)
	if err != nil {
		return false, err
	}
	if !os.SameFile(fi, li) {
		return false, fs.ErrNotExist
	}
	return false, nil
}

// orphanError explains a checkpoint nobody holds and what to do about it.
func orphanError(path string) error {
	what := "was left by a netalign apply whose rollback watchdog is gone"
	if strings.HasSuffix(path, ".failed") {
		what = "was left by a rollback watchdog whose restore failed"
	}
	detail := ""
	if f, err := os.Open(path); err == nil {
		if cf, err := readCheckpoint(f); err == nil {
			detail = fmt.Sprintf(" (host %s, netalign pid %d, armed %s)", cf.Host, cf.Owner, cf.Armed.Format(time.RFC3339))
		}
		f.Close()
	}
	return cause.Wrap(cause.ConcurrentChange, ErrPendingCheckpoint,
		"host checkpoint %s%s %s: the host may be half-changed; restore it with `netalign host rollback-watchdog --now --checkpoint %s`, or remove the file to keep the host as it is",
		path, detail, what, path)
}

// armedPath is a checkpoint file's name before the watchdog claimed it.
func armedPath(path string) string {
	for _, suf := range []string{".restoring", ".failed"} {
		path = strings.TrimSuffix(path, suf)
	}
	return path
}
