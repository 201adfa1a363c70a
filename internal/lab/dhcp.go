package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// labDHCP is a built-in DHCP server the lab runs for an inventory entry of
// kind "embedded": relayed requests on a loopback port, pools published in
// a pools file in the lab directory that netalign's embedded driver edits.
type labDHCP struct {
	name      string
	addr      string
	poolsFile string
	leaseFile string
	// cancel and done belong to the running server; nil while it is
	// stopped (StopDHCP).
	cancel context.CancelFunc
	done   chan error
}

// startDHCP starts one built-in server per embedded DHCP entry of inv. The
// servers start with no pools, like a freshly installed server, so that a
// plan shows the pools netalign would create.
func (l *Lab) startDHCP(ctx context.Context, inv *inventory.Inventory, host string) error {
	for _, s := range inv.DHCPServers {
		if s.Kind != embedded.Kind {
			continue
		}
		d := &labDHCP{
			name:      s.Name,
			poolsFile: filepath.Join(l.dir, "dhcp-"+safeName(s.Name)+".pools.json"),
			leaseFile: filepath.Join(l.dir, "dhcp-"+safeName(s.Name)+".leases"),
		}
		if _, err := os.Stat(d.poolsFile); errors.Is(err, os.ErrNotExist) {
			if err := embedded.WritePools(d.poolsFile, []intent.Pool{}); err != nil {
				return fmt.Errorf("lab: dhcp %s: %w", s.Name, err)
			}
		}
		// Reserve a free loopback UDP port for the relay listener.
		pc, err := net.ListenPacket("udp4", net.JoinHostPort(host, "0"))
		if err != nil {
			return fmt.Errorf("lab: dhcp %s: %w", s.Name, err)
		}
		ap, err := netip.ParseAddrPort(pc.LocalAddr().String())
		pc.Close()
		if err != nil {
			return fmt.Errorf("lab: dhcp %s: %w", s.Name, err)
		}
		d.addr = ap.String()
		if err := l.runDHCP(ctx, d); err != nil {
			return err
		}
		l.dhcp = append(l.dhcp, d)
	}
	return nil
}

// runDHCP starts d's server on its address.
func (l *Lab) runDHCP(ctx context.Context, d *labDHCP) error {
	ap, err := netip.ParseAddrPort(d.addr)
	if err != nil {
		return fmt.Errorf("lab: dhcp %s: %w", d.name, err)
	}
	srv, err := embedded.NewServer(embedded.Config{
		LeaseFile: d.leaseFile, PoolsFile: d.poolsFile, ListenAddr: ap, ServerID: ap.Addr(),
	}, l.log.With("dhcp", d.name))
	if err != nil {
		return fmt.Errorf("lab: dhcp %s: %w", d.name, err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel, d.done = cancel, make(chan error, 1)
	go func() {
		err := srv.Run(rctx)
		srv.Close()
		d.done <- err
	}()
	return nil
}

// StopDHCP stops the built-in DHCP server of entry name, as a server that
// died would be: its address stops answering, its pools and lease files
// stay. StartDHCP starts it again on the same address.
func (l *Lab) StopDHCP(name string) error {
	l.dhcpMu.Lock()
	defer l.dhcpMu.Unlock()
	d, err := l.labDHCP(name)
	if err != nil {
		return err
	}
	if d.cancel != nil {
		d.cancel()
		<-d.done
		d.cancel, d.done = nil, nil
	}
	return nil
}

// StartDHCP starts the built-in DHCP server of entry name again after
// StopDHCP; a running one is left alone.
func (l *Lab) StartDHCP(ctx context.Context, name string) error {
	l.dhcpMu.Lock()
	defer l.dhcpMu.Unlock()
	d, err := l.labDHCP(name)
	if err != nil || d.cancel != nil {
		return err
	}
	return l.runDHCP(ctx, d)
}

func (l *Lab) labDHCP(name string) (*labDHCP, error) {
	for _, d := range l.dhcp {
		if d.name == name {
			return d, nil
		}
	}
	return nil, fmt.Errorf("lab: no built-in DHCP server %q", name)
}

// patchDHCP points the lab inventory's embedded DHCP entries at the lab's
// servers.
func (l *Lab) patchDHCP(inv *inventory.Inventory) {
	for i := range inv.DHCPServers {
		s := &inv.DHCPServers[i]
		for _, d := range l.dhcp {
			if d.name == s.Name {
				s.Endpoint, s.ConfigPath, s.LeaseFile = d.addr, d.poolsFile, d.leaseFile
			}
		}
	}
}

func (l *Lab) stopDHCP() {
	l.dhcpMu.Lock()
	defer l.dhcpMu.Unlock()
	for _, d := range l.dhcp {
		if d.cancel != nil {
			d.cancel()
			<-d.done
		}
	}
	l.dhcp = nil
}
