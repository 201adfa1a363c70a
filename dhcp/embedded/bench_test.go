package embedded_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/dhcp/probe"
	"github.com/netalign/netalign/internal/intent"
)

// relayLoad is a DHCP load generator acting as one relay agent: every
// exchange is relayed (giaddr set) over one UDP socket and the answers are
// matched to their exchange by transaction id, so many clients can be in
// flight at once.
type relayLoad struct {
	conn   *net.UDPConn
	server *net.UDPAddr
	giaddr net.IP

	mu      sync.Mutex
	waiting map[dhcpv4.TransactionID]chan *dhcpv4.DHCPv4
	done    chan struct{}
}

func newRelayLoad(ctx context.Context, relay, server netip.AddrPort) (*relayLoad, error) {
	conn, err := probe.ListenRelay(ctx, relay)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadBuffer(4 << 20)
	r := &relayLoad{conn: conn, server: net.UDPAddrFromAddrPort(server), giaddr: relay.Addr().AsSlice(),
		waiting: map[dhcpv4.TransactionID]chan *dhcpv4.DHCPv4{}, done: make(chan struct{})}
	go r.read()
	return r, nil
}

func (r *relayLoad) read() {
	defer close(r.done)
	buf := make([]byte, 1500)
	for {
		n, _, err := r.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		m, err := dhcpv4.FromBytes(buf[:n])
		if err != nil {
			continue
		}
		r.mu.Lock()
		ch := r.waiting[m.TransactionID]
		delete(r.waiting, m.TransactionID)
		r.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
}

func (r *relayLoad) close() { _ = r.conn.Close(); <-r.done }

var errNoAnswer = errors.New("no answer")

// exchange sends m and waits for the answer with its transaction id.
func (r *relayLoad) exchange(m *dhcpv4.DHCPv4) (*dhcpv4.DHCPv4, error) {
	ch := make(chan *dhcpv4.DHCPv4, 1)
	r.mu.Lock()
	r.waiting[m.TransactionID] = ch
	r.mu.Unlock()
	if _, err := r.conn.WriteTo(m.ToBytes(), r.server); err != nil {
		return nil, err
	}
	select {
	case a := <-ch:
		return a, nil
	case <-time.After(2 * time.Second):
		r.mu.Lock()
		delete(r.waiting, m.TransactionID)
		r.mu.Unlock()
		return nil, errNoAnswer
	}
}

// dora runs one relayed DISCOVER-OFFER-REQUEST-ACK for hw.
func (r *relayLoad) dora(hw net.HardwareAddr) (net.IP, error) {
	relayed := []dhcpv4.Modifier{dhcpv4.WithGatewayIP(r.giaddr), func(d *dhcpv4.DHCPv4) { d.HopCount = 1 }}
	d, err := dhcpv4.NewDiscovery(hw, relayed...)
	if err != nil {
		return nil, err
	}
	offer, err := r.exchange(d)
	if err != nil {
		return nil, err
	}
	if offer.MessageType() != dhcpv4.MessageTypeOffer {
		return nil, errors.New("answer to DISCOVER is " + offer.MessageType().String())
	}
	req, err := dhcpv4.NewRequestFromOffer(offer, relayed...)
	if err != nil {
		return nil, err
	}
	ack, err := r.exchange(req)
	if err != nil {
		return nil, err
	}
	if ack.MessageType() != dhcpv4.MessageTypeAck {
		return nil, errors.New("answer to REQUEST is " + ack.MessageType().String())
	}
	return ack.YourIPAddr, nil
}

// BenchmarkDORA measures relayed DORA exchanges per second against the
// built-in server over loopback (unprivileged ports), with concurrent
// clients, with and without an fsync of the lease file per lease.
func BenchmarkDORA(b *testing.B) {
	for _, bc := range []struct {
		name   string
		noSync bool
	}{{"fsync", false}, {"nosync", true}} {
		b.Run(bc.name, func(b *testing.B) {
			pool := intent.Pool{Network: "bench", VLAN: 10, Subnet: "10.0.0.0/8", Ranges: []string{"10.0.0.10-10.255.255.250"},
				Gateway: "10.0.0.1", DNS: []string{"10.0.0.53"}, LeaseTime: 3600, Relay: "127.0.0.2"}
			l := startLoopback(b, embedded.Config{Pools: []intent.Pool{pool}, LeaseFile: filepath.Join(b.TempDir(), "leases.db"), NoSync: bc.noSync})
			load, err := newRelayLoad(context.Background(), l.relay, l.server)
			if err != nil {
				b.Fatal(err)
			}
			defer load.close()
			var seq atomic.Uint64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					hw := net.HardwareAddr{0x02, 0xbe, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
					if _, err := load.dora(hw); err != nil {
						b.Errorf("DORA %s: %v", hw, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "DORA/s")
		})
	}
}
