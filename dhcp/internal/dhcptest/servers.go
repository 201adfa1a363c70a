package dhcptest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// KeaConf is the hand-written kea-dhcp4 configuration StartKea runs with
// (%[1]s is the state directory): one subnet on the server's own link that
// netalign does not own, written with Kea's comment syntax.
const KeaConf = `// written by hand, not by netalign
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "s0" ], "dhcp-socket-type": "udp" },
    "control-socket": { "socket-type": "unix", "socket-name": "%[1]s/kea4.sock" },
    "lease-database": { "type": "memfile", "persist": true, "name": "%[1]s/leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    # the link between the server and the relay
    "subnet4": [
      {
        "id": 1,
        "subnet": "10.77.0.0/24",
        "pools": [ { "pool": "10.77.0.100 - 10.77.0.150" } ],
        "option-data": [ { "name": "routers", "data": "10.77.0.254" } ],
        "user-context": { "owner": "ops", "ticket": "NET-42" }
      }
    ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "%[1]s/kea-dhcp4.log" } ], "severity": "INFO" } ]
  }
}
`

const keaAgentConf = `{
  "Control-agent": {
    "http-host": "127.0.0.1",
    "http-port": %[2]d,%[3]s
    "authentication": { "type": "basic", "realm": "netalign-test",
      "clients": [ { "user": "%[4]s", "password": "%[5]s" } ] },
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "%[1]s/kea4.sock" } },
    "loggers": [ { "name": "kea-ctrl-agent", "output_options": [ { "output": "%[1]s/kea-ctrl-agent.log" } ], "severity": "INFO" } ]
  }
}
`

// Kea is a kea-dhcp4 running in the server namespace of a Link (listening
// on s0, UDP sockets, so relayed traffic reaches it) and its Control Agent on
// 127.0.0.1 with basic authentication.
type Kea struct {
	Link *Link
	// Dir holds configuration, sockets, leases and logs.
	Dir string
	// Endpoint is the Control Agent URL.
	Endpoint       string
	User, Password string
	// CA is the CA certificate file when the agent speaks HTTPS.
	CA string
}

// StartKea starts Kea with KeaConf; withTLS puts the Control Agent on HTTPS
// with a certificate for 127.0.0.1 signed by a CA in k.CA. It returns once
// config-get answers. Everything stops at cleanup.
func StartKea(tb testing.TB, withTLS bool) *Kea {
	tb.Helper()
	RequireRoot(tb)
	dhcp4 := RequireBinary(tb, "kea-dhcp4", "kea-dhcp4-server")
	agent := RequireBinary(tb, "kea-ctrl-agent", "kea-ctrl-agent")
	RequireBinary(tb, "ip", "iproute2")
	dir := stateDir(tb, "kea", "kea-dhcp4.log", "kea-ctrl-agent.log", "kea-dhcp4.out", "kea-ctrl-agent.out")
	k := &Kea{Link: NewLink(tb), Dir: dir, User: "netalign", Password: "s3cret-pw"}
	port := FreePort(tb)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			tb.Fatal(err)
		}
		return p
	}
	tlsConf, scheme := "", "http"
	if withTLS {
		caPEM, certPEM, keyPEM := makeCerts(tb)
		k.CA = write("ca.pem", string(caPEM))
		tlsConf = fmt.Sprintf(`
    "trust-anchor": %q, "cert-file": %q, "key-file": %q, "cert-required": false,`,
			k.CA, write("server.pem", string(certPEM)), write("server.key", string(keyPEM)))
		scheme = "https"
	}
	k.Endpoint = fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
	k4 := write("kea-dhcp4.conf", fmt.Sprintf(KeaConf, dir))
	ca := write("kea-ctrl-agent.conf", fmt.Sprintf(keaAgentConf, dir, port, tlsConf, k.User, k.Password))
	env := append(os.Environ(), "KEA_PIDFILE_DIR="+dir, "KEA_LOCKFILE_DIR="+dir)
	cmd := k.Link.Server.Command(dhcp4, "-c", k4)
	cmd.Env = env
	StartProcess(tb, cmd, filepath.Join(dir, "kea-dhcp4.out"))
	cmd = exec.Command(agent, "-c", ca)
	cmd.Env = env
	StartProcess(tb, cmd, filepath.Join(dir, "kea-ctrl-agent.out"))
	k.waitReady(tb)
	return k
}

// waitReady polls config-get until kea-dhcp4 answers through the agent.
func (k *Kea) waitReady(tb testing.TB) {
	tb.Helper()
	cl := &http.Client{Timeout: 2 * time.Second}
	if k.CA != "" {
		pem, _ := os.ReadFile(k.CA)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		cl.Transport = tr
	}
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodPost, k.Endpoint, strings.NewReader(`{"command":"config-get","service":["dhcp4"]}`))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(k.User, k.Password)
		resp, err := cl.Do(req)
		if err == nil {
			var b bytes.Buffer
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(b.String(), `"result": 0`) {
				return
			}
			last = b.String()
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("kea did not come up: %s", last)
}

// stateDir makes a short temporary directory (Unix socket paths are limited
// to 107 bytes; t.TempDir can be longer) and logs the named files in it when
// the test fails.
func stateDir(tb testing.TB, prefix string, logs ...string) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			for _, f := range logs {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				tb.Logf("%s:\n%s", f, b)
			}
		}
		os.RemoveAll(dir)
	})
	return dir
}

// makeCerts returns a CA certificate and a server certificate for 127.0.0.1
// signed by it, with the server's key, all PEM.
func makeCerts(tb testing.TB) (caPEM, certPEM, keyPEM []byte) {
	tb.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "netalign test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, &key.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	kDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kDER})
}

// DnsmasqMainConf is the main configuration StartDnsmasq runs with (%[1]s is
// the state directory): DHCP only on s0, conf-dir %[1]s/conf.d. no-ping:
// dnsmasq otherwise pings every address for up to 3 s before offering it
// (Kea does not); dhcp-lease-max lifts the default limit of 1000 leases.
const DnsmasqMainConf = `port=0
interface=s0
user=root
group=root
dhcp-leasefile=%[1]s/leases
pid-file=%[1]s/dnsmasq.pid
log-facility=%[1]s/dnsmasq.log
no-ping
dhcp-lease-max=70000
conf-dir=%[1]s/conf.d
`

// DnsmasqHandWritten is the hand-written file in conf.d: a pool on the link
// itself that netalign never touches.
const DnsmasqHandWritten = `# by hand
dhcp-range=set:ops,10.77.0.100,10.77.0.150,255.255.255.0,1h
dhcp-option=tag:ops,option:router,10.77.0.254
`

// Dnsmasq is a dnsmasq daemon in the server namespace of a Link.
type Dnsmasq struct {
	Link *Link
	Dir  string
	// ConfDir is dnsmasq's conf-dir; HandWritten the file in it.
	ConfDir, HandWritten string
	// RestartCommand is what an operator would configure: stop the running
	// dnsmasq by its pid file and start a new one in the namespace.
	RestartCommand string
}

// StartDnsmasq starts dnsmasq with DnsmasqMainConf plus extra lines.
func StartDnsmasq(tb testing.TB, extra string) *Dnsmasq {
	tb.Helper()
	RequireRoot(tb)
	bin := RequireBinary(tb, "dnsmasq", "dnsmasq")
	RequireBinary(tb, "ip", "iproute2")
	dir := stateDir(tb, "dnsmasq", "dnsmasq.log")
	d := &Dnsmasq{Link: NewLink(tb), Dir: dir, ConfDir: filepath.Join(dir, "conf.d")}
	d.HandWritten = filepath.Join(d.ConfDir, "handwritten.conf")
	if err := os.Mkdir(d.ConfDir, 0o755); err != nil {
		tb.Fatal(err)
	}
	main := filepath.Join(dir, "dnsmasq.conf")
	for p, body := range map[string]string{main: fmt.Sprintf(DnsmasqMainConf, dir) + extra, d.HandWritten: DnsmasqHandWritten} {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	d.RestartCommand = fmt.Sprintf(`pid=$(cat %[1]s 2>/dev/null); if [ -n "$pid" ]; then kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; fi; ip netns exec %[2]s %[3]s --conf-file=%[4]s </dev/null >/dev/null 2>&1`,
		quote(filepath.Join(dir, "dnsmasq.pid")), d.Link.Server.Name, bin, quote(main))
	// Registered after the namespaces' cleanups, so it runs before them
	// (last in, first out).
	tb.Cleanup(func() {
		b, err := os.ReadFile(filepath.Join(dir, "dnsmasq.pid"))
		if err != nil {
			return
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
		for i := 0; i < 200 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "/bin/sh", "-c", d.RestartCommand).CombinedOutput(); err != nil {
		tb.Fatalf("start dnsmasq: %v: %s", err, out)
	}
	return d
}

// PID returns the running dnsmasq's process id.
func (d *Dnsmasq) PID(tb testing.TB) int {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(d.Dir, "dnsmasq.pid"))
	if err != nil {
		tb.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		tb.Fatal(err)
	}
	return pid
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
