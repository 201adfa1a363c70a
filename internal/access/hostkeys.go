package access

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"slices"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/cause"
)

// hostKeys verifies a host key against a known_hosts file and keeps, when
// it refuses one, the cause: HOST_KEY_UNKNOWN with the offered key's
// fingerprint and the command that trusts it, or HOST_KEY_MISMATCH with the
// file and line of the recorded key and how to replace it.
type hostKeys struct {
	addr string
	// file is the known_hosts file; empty when verification is disabled.
	file string
	// db checks keys against file; nil when file does not exist (every
	// key is then unknown).
	db ssh.HostKeyCallback
	// refused is check's verdict on a key it refused. crypto/ssh calls
	// check from its key exchange goroutine.
	refused atomic.Pointer[cause.Error]
}

// newHostKeys reads t's known_hosts file for verifying t.Addr's host key.
// Without a file to verify with, or with one that cannot be used, the host
// key cannot be trusted: HOST_KEY_UNKNOWN.
func newHostKeys(t Target) (*hostKeys, error) {
	h := &hostKeys{addr: t.Addr}
	if t.Insecure {
		return h, nil
	}
	if t.KnownHosts == "" {
		return nil, cause.New(cause.HostKeyUnknown, "no known_hosts file to verify the host key of %s (set knownHosts, or insecure: true)", t.Addr)
	}
	h.file = t.KnownHosts
	db, err := knownhosts.New(t.KnownHosts)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, cause.Wrap(cause.HostKeyUnknown, err, "cannot use known_hosts file %s: %s", t.KnownHosts, reason(err))
	default:
		h.db = db
	}
	return h, nil
}

// check is the ssh.HostKeyCallback.
func (h *hostKeys) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	if h.file == "" {
		return nil // Insecure: the caller logs it.
	}
	var err error = &knownhosts.KeyError{} // no file: unknown
	if h.db != nil {
		err = h.db(hostname, remote, key)
	}
	if err == nil {
		return nil
	}
	offered := key.Type() + " " + ssh.FingerprintSHA256(key)
	trust := keyscan(h.addr) + " >> " + h.file
	var e *cause.Error
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case errors.As(err, &re):
		e = cause.Wrap(cause.HostKeyMismatch, err, "host key of %s (%s) is revoked in %s:%d", h.addr, offered, re.Revoked.Filename, re.Revoked.Line)
	case errors.As(err, &ke) && len(ke.Want) == 0:
		where := h.file
		if h.db == nil {
			where += " (the file does not exist)"
		}
		e = cause.Wrap(cause.HostKeyUnknown, err, "host key of %s is not in %s; it offers %s: if that is the host's fingerprint, trust it with `%s`", h.addr, where, offered, trust)
	case errors.As(err, &ke):
		want := ke.Want[0]
		for _, k := range ke.Want {
			if k.Key.Type() == key.Type() {
				want = k
				break
			}
		}
		e = cause.Wrap(cause.HostKeyMismatch, err, "host key of %s differs from %s:%d: it offers %s, the file has %s %s; if the host's key changed on purpose, remove the old entry (`ssh-keygen -R '%s' -f %s`) and trust the new one with `%s`",
			h.addr, want.Filename, want.Line, offered, want.Key.Type(), ssh.FingerprintSHA256(want.Key), knownhosts.Normalize(h.addr), h.file, trust)
	default:
		e = cause.Wrap(cause.HostKeyMismatch, err, "host key of %s did not verify against %s: %v", h.addr, h.file, err)
	}
	h.refused.Store(e)
	return e
}

// keyscan is the ssh-keyscan command line that prints addr's host keys.
func keyscan(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	switch {
	case err != nil:
		return "ssh-keyscan " + addr
	case port == "22":
		return "ssh-keyscan " + host
	}
	return fmt.Sprintf("ssh-keyscan -p %s %s", port, host)
}

// noKey is a key no known_hosts line holds: looking it up lists the keys
// recorded for a host.
var noKey, _ = ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))

// algorithms are the host key algorithms to negotiate with h.addr: those
// of the keys known_hosts records for it, so that a host offering several
// key types (OpenSSH offers ed25519, ecdsa and rsa) is checked against the
// one recorded; crypto/ssh would otherwise pick its own preference
// (ecdsa first) and report a mismatch. Nil, for crypto/ssh's defaults,
// when none is recorded or verification is disabled.
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
