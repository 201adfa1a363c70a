package clisession

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"slices"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/switchdrivers"
)

// hostKeys verifies a device's host key against a known_hosts file and
// keeps, when it refuses one, the cause: HOST_KEY_UNKNOWN with the offered
// key's fingerprint and the command that trusts it, or HOST_KEY_MISMATCH
// with the file and line of the recorded key.
type hostKeys struct {
	addr string
	// file is the known_hosts file; empty when verification is disabled.
	file string
	// db checks keys against file; nil when file does not exist (every
	// key is then unknown).
	db  ssh.HostKeyCallback
	err *cause.Error
}

// newHostKeys reads cfg's known_hosts file for verifying addr's host key.
// Without a file to verify with, or with one that cannot be read, the
// host key cannot be trusted: HOST_KEY_UNKNOWN.
func newHostKeys(cfg switchdrivers.Config, addr string) (*hostKeys, error) {
	h := &hostKeys{addr: addr}
	if cfg.Insecure {
		return h, nil
	}
	if cfg.KnownHosts == "" {
		return nil, cause.New(cause.HostKeyUnknown, "no known_hosts file to verify the host key of %s (set knownHosts, or insecure: true)", addr)
	}
	h.file = cfg.KnownHosts
	db, err := knownhosts.New(cfg.KnownHosts)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, cause.Wrap(cause.HostKeyUnknown, err, "cannot read known_hosts file %s: %s", cfg.KnownHosts, reason(err))
	default:
		h.db = db
	}
	return h, nil
}

// check is the ssh.HostKeyCallback.
func (h *hostKeys) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	if h.file == "" {
		return nil // insecure: true, logged by Open.
	}
	fp := ssh.FingerprintSHA256(key)
	trust := "after checking the fingerprint, trust it with: " + keyscan(h.addr) + " >> " + h.file
	if h.db == nil {
		h.err = cause.New(cause.HostKeyUnknown, "known_hosts file %s does not exist (%s offers %s %s); %s", h.file, h.addr, key.Type(), fp, trust)
		return h.err
	}
	err := h.db(hostname, remote, key)
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case errors.As(err, &ke) && len(ke.Want) == 0:
		h.err = cause.Wrap(cause.HostKeyUnknown, err, "host key of %s is not in %s (it offers %s %s); %s", h.addr, h.file, key.Type(), fp, trust)
	case errors.As(err, &ke):
		want := ke.Want[0]
		for _, k := range ke.Want {
			if k.Key.Type() == key.Type() {
				want = k
				break
			}
		}
		h.err = cause.Wrap(cause.HostKeyMismatch, err, "host key of %s differs from %s:%d: it offers %s %s, the file has %s %s; if the device's key changed for a known reason, replace that line",
			h.addr, want.Filename, want.Line, key.Type(), fp, want.Key.Type(), ssh.FingerprintSHA256(want.Key))
	case errors.As(err, &re):
		h.err = cause.Wrap(cause.HostKeyMismatch, err, "host key %s %s of %s is revoked in %s:%d", key.Type(), fp, h.addr, re.Revoked.Filename, re.Revoked.Line)
	case err != nil:
		h.err = cause.Wrap(cause.HostKeyMismatch, err, "host key of %s did not verify against %s: %v", h.addr, h.file, err)
	}
	if h.err != nil {
		return h.err
	}
	return nil
}

// keyscan is the ssh-keyscan command line that prints addr's host keys.
func keyscan(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "22" {
		return "ssh-keyscan " + host
	}
	return fmt.Sprintf("ssh-keyscan -p %s %s", port, host)
}

// noKey is a key no known_hosts line holds: looking it up lists the keys
// recorded for a host.
var noKey, _ = ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))

// algorithms are the host key algorithms to negotiate with addr: those of
// the keys known_hosts records for it, so that a device offering several
// key types is checked against the one recorded (crypto/ssh would
// otherwise pick its own preference and report a mismatch). Nil, for
// crypto/ssh's defaults, when none is recorded.
func (h *hostKeys) algorithms(remote net.Addr) []string {
	if h.db == nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if !errors.As(h.db(h.addr, remote, noKey), &ke) {
		return nil
	}
	var algos []string
	for _, k := range ke.Want {
		as := []string{k.Key.Type()}
		if k.Key.Type() == ssh.KeyAlgoRSA {
			as = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
		}
		for _, a := range as {
			if !slices.Contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	return algos
}
