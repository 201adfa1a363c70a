// Package embedded is netalign's own DHCPv4 server (`netalign dhcp serve`),
// built on insomniacslk/dhcp's server4, and its dhcp.Server driver for the
// inventory kind "embedded".
//
// The server serves the pools of the inventory (intent.Pool values). A
// request is matched to a pool by the relay address in giaddr (equal to
// Pool.Relay, or inside Pool.Subnet) or, when it was not relayed, by the
// interface it arrived on (Pool.Interface). Leases live in a bbolt file, one
// bucket per pool subnet, so they survive restarts. Reservations (MAC → IP)
// always win: a reserved address is never given to another client, and a
// client holding it without a reservation is refused at its next renewal.
// The server never hands out the network or broadcast address, the gateway,
// any of its own addresses, or anything outside the pool's ranges.
//
// Every lease change is committed to the lease file (with fsync unless
// Config.NoSync) before the client hears of it; the changes of concurrent
// requests share one transaction. Offers are held in memory only.
//
// Replies follow RFC 2131 4.1: to the relay at giaddr (port Config.RelayPort,
// 67 by default) when relayed, to ciaddr for a renewing client, broadcast
// on the receiving link otherwise. Listeners are one socket per interface
// (0.0.0.0:67 bound to the device, so that broadcasts are answered on the
// link they came from) plus, optionally, one socket on Config.ListenAddr for
// relayed traffic and unicast renewals.
//
// # How the running server gets its pools
//
// The pools a server serves live in a JSON pools file (Config.PoolsFile; the
// driver uses the inventory entry's configPath, or "<leaseFile>.pools.json").
// `netalign dhcp serve -i INVENTORY` writes the inventory's pools to it at
// start. The driver's Apply validates the complete new pool set and replaces
// the file atomically (temporary file, fsync, rename), so the file always
// holds a whole, valid pool set; the running server polls the file
// (Config.ReloadInterval, 2s by default) and swaps its pools in place,
// keeping every lease. An invalid file is logged and ignored, and the server
// keeps serving its previous pools. Observe reads the same file. A file was
// chosen over a control socket because it needs no authentication beyond
// file permissions (0600), survives restarts of either side, and works with
// the server stopped.
//
// # How netalign knows the server runs
//
// The pools file says what the server would serve, not that anything
// serves it, so Observe first checks that the server is alive; one that is
// not is an observation failure with a cause, never a clean validate. With
// an endpoint, Observe asks the server there (Ping): a DHCPINFORM whose
// vendor class identifier (option 60) is HealthClass, "netalign-health",
// from an unprivileged UDP socket, sent again after 250 ms and then after
// twice as long each time, until settings.timeout. The server answers it on its ListenAddr socket
// only, before looking at any pool, with a DHCPACK to the request's source
// address and port: no lease, no pool, no privileged port on either side,
// and a server without pools (freshly installed) answers too. A DISCOVER
// as a relay sends it was not used: it needs a pool for the relay address
// (a server without pools stays silent), port 67 on the asking side, and
// it makes offers. A closed port is UNREACHABLE at once (ICMP port
// unreachable on the connected socket), silence is TIMEOUT; the message is
// "the built-in DHCP server is not answering on ADDR: is `netalign dhcp
// serve` running?". Without an endpoint (a server that serves its
// interfaces directly has no address to ask), Observe looks at the lease
// file: a running server holds it locked (bbolt's flock), and nobody
// holding it is UNREACHABLE. Both checks use the inventory's entry: a
// server started with --listen or --lease-file elsewhere is not found.
package embedded
