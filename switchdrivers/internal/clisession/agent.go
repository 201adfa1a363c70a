package clisession

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/scrapli/scrapligo/transport"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// agentTransport is scrapligo's standard transport with one addition the
// standard one lacks: public keys held by ssh-agent (SSH_AUTH_SOCK). It is
// used only when the inventory asks for agent authentication; host keys are
// verified against known_hosts exactly as the standard transport does.
type agentTransport struct {
	socket     string
	knownHosts string // empty: verification disabled (insecure)
	keyFile    string

	mu      sync.Mutex
	agent   net.Conn
	client  *ssh.Client
	session *ssh.Session
	w       io.WriteCloser
	r       io.Reader
}

func (t *agentTransport) Open(a *transport.Args) error {
	conn, err := net.Dial("unix", t.socket)
	if err != nil {
		return fmt.Errorf("ssh-agent %s: %w", t.socket, err)
	}
	auth := []ssh.AuthMethod{ssh.PublicKeysCallback(agent.NewClient(conn).Signers)}
	if t.keyFile != "" {
		k, err := os.ReadFile(t.keyFile)
		if err != nil {
			conn.Close()
			return err
		}
		signer, err := ssh.ParsePrivateKey(k)
		if err != nil {
			conn.Close()
			return fmt.Errorf("ssh key %s: %w", t.keyFile, err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if a.Password != "" {
		auth = append(auth, ssh.Password(a.Password))
	}
	hk := ssh.InsecureIgnoreHostKey() // #nosec G106 -- only with insecure: true, logged by Open.
	if t.knownHosts != "" {
		if hk, err = knownhosts.New(t.knownHosts); err != nil {
			conn.Close()
			return err
		}
	}
	client, err := ssh.Dial("tcp", net.JoinHostPort(a.Host, fmt.Sprint(a.Port)), &ssh.ClientConfig{
		User: a.User, Auth: auth, HostKeyCallback: hk, Timeout: a.TimeoutSocket,
	})
	if err != nil {
		conn.Close()
		return err
	}
	sess, err := client.NewSession()
	if err != nil {
		client.Close()
		conn.Close()
		return err
	}
	w, err := sess.StdinPipe()
	if err == nil {
		var r io.Reader
		if r, err = sess.StdoutPipe(); err == nil {
			modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 115200, ssh.TTY_OP_OSPEED: 115200}
			if err = sess.RequestPty("xterm", a.TermHeight, a.TermWidth, modes); err == nil {
				err = sess.Shell()
			}
			t.r = r
		}
		t.w = w
	}
	if err != nil {
		sess.Close()
		client.Close()
		conn.Close()
		return err
	}
	t.mu.Lock()
	t.agent, t.client, t.session = conn, client, sess
	t.mu.Unlock()
	return nil
}

func (t *agentTransport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	if t.session != nil {
		if err := t.session.Close(); err != nil && !errors.Is(err, io.EOF) {
			errs = append(errs, err)
		}
		t.session = nil
	}
	if t.client != nil {
		if err := t.client.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
		t.client = nil
	}
	if t.agent != nil {
		t.agent.Close()
		t.agent = nil
	}
	return errors.Join(errs...)
}

func (t *agentTransport) IsAlive() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.session != nil
}

func (t *agentTransport) Read(n int) ([]byte, error) {
	b := make([]byte, n)
	n, err := t.r.Read(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

func (t *agentTransport) Write(b []byte) error {
	_, err := t.w.Write(b)
	return err
}
