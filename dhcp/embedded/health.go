package embedded

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/netalign/netalign/internal/cause"
)

// HealthClass is the vendor class identifier (DHCP option 60) that makes a
// DHCPINFORM a liveness request. The running server answers one that
// reaches its ListenAddr with a DHCPACK (same transaction id, its server
// identifier, this class) sent straight back to the request's source
// address and port, before any pool is looked at: the answer needs no pool,
// no lease and no privileged port on the asking side, and says only that
// the server runs and reads its socket.
const HealthClass = "netalign-health"

// Timings of Ping: the first answer is awaited HealthFirstWait, each
// retransmission waits twice as long as the one before, and without a
// deadline on ctx Ping gives up after DefaultHealthTimeout.
const (
	HealthFirstWait      = 250 * time.Millisecond
	DefaultHealthTimeout = 5 * time.Second
)

// isHealthRequest reports whether m is a liveness request.
func isHealthRequest(m *dhcpv4.DHCPv4) bool {
	return m.OpCode == dhcpv4.OpcodeBootRequest && m.MessageType() == dhcpv4.MessageTypeInform &&
		m.ClassIdentifier() == HealthClass
}

// healthReply is the answer to the liveness request req.
func healthReply(req *dhcpv4.DHCPv4, serverID netip.Addr) (*dhcpv4.DHCPv4, error) {
	mods := []dhcpv4.Modifier{dhcpv4.WithMessageType(dhcpv4.MessageTypeAck), dhcpv4.WithOption(dhcpv4.OptClassIdentifier(HealthClass))}
	if serverID.IsValid() {
		mods = append(mods, dhcpv4.WithServerIP(serverID.AsSlice()), dhcpv4.WithOption(dhcpv4.OptServerIdentifier(serverID.AsSlice())))
	}
	return dhcpv4.NewReplyFromRequest(req, mods...)
}

// notAnswering is the failure of a server that does not answer on addr.
func notAnswering(code cause.Code, addr netip.AddrPort, err error) error {
	return cause.Wrap(code, err, "the built-in DHCP server is not answering on %s: is `netalign dhcp serve` running?", addr)
}

// Ping asks the built-in server listening on addr (its inventory endpoint)
// whether it runs: a liveness request (HealthClass) from an unprivileged UDP
// socket, sent again at growing intervals until the answer comes or ctx
// ends (DefaultHealthTimeout without a deadline). A server that is not
// running is an error with cause UNREACHABLE (the port is closed: ICMP port
// unreachable, or no route) or TIMEOUT (no answer before the deadline).
func Ping(ctx context.Context, addr netip.AddrPort) error {
	if addr.Port() == 0 {
		addr = netip.AddrPortFrom(addr.Addr(), dhcpv4.ServerPort)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultHealthTimeout)
		defer cancel()
	}
	var d net.Dialer
	// A connected socket hears the ICMP port unreachable of a closed port
	// (ECONNREFUSED) and only datagrams from addr.
	c, err := d.DialContext(ctx, "udp4", addr.String())
	if err != nil {
		return ping(ctx, addr, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })
	defer stop()

	var hw [6]byte
	_, _ = rand.Read(hw[:])
	hw[0] = hw[0]&^1 | 2 // locally administered unicast
	req, err := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeInform), dhcpv4.WithHwAddr(hw[:]),
		dhcpv4.WithOption(dhcpv4.OptClassIdentifier(HealthClass)))
	if err != nil {
		return fmt.Errorf("health request: %w", err)
	}
	msg := req.ToBytes()
	buf := make([]byte, 1500)
	for wait := HealthFirstWait; ; wait *= 2 {
		if _, err := c.Write(msg); err != nil {
			return ping(ctx, addr, err)
		}
		until := time.Now().Add(wait)
		if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
			until = dl
		}
		if err := c.SetReadDeadline(until); err != nil {
			return ping(ctx, addr, err)
		}
		for {
			n, err := c.Read(buf)
			var ne net.Error
			switch {
			case err == nil:
			case errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil:
				// Nothing yet: send again, wait longer.
			default:
				return ping(ctx, addr, err)
			}
			if err != nil {
				break
			}
			if m, perr := dhcpv4.FromBytes(buf[:n]); perr == nil && m.OpCode == dhcpv4.OpcodeBootReply &&
				m.TransactionID == req.TransactionID && bytes.Equal(m.ClientHWAddr, req.ClientHWAddr) &&
				m.MessageType() == dhcpv4.MessageTypeAck && m.ClassIdentifier() == HealthClass {
				return nil
			}
		}
	}
}

// ping turns a failure of Ping's socket into its cause: the context's end
// (TIMEOUT at the deadline), a closed port or missing route (UNREACHABLE).
func ping(ctx context.Context, addr netip.AddrPort, err error) error {
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	switch code := cause.Of(err); code {
	case cause.Timeout, cause.Unreachable:
		return notAnswering(code, addr, err)
	case cause.Interrupted:
		return cause.Wrap(code, err, "interrupted while asking the built-in DHCP server on %s", addr)
	}
	return fmt.Errorf("ask the built-in DHCP server on %s: %w", addr, err)
}
