package inventory

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// CheckReferences checks, without contacting any device, what a valid
// inventory refers to outside itself: every environment variable a
// credential names is set and not empty, every file it names (password and
// SSH key files, known_hosts files, TLS CA, certificate and key) exists and
// is readable, and every known_hosts file of an SSH device holds a key for
// its host[:port] (matched as SSH matches it: hashed entries, wildcards and
// the [host]:port form). Problems come back as ValidationErrors naming the
// file, the field and the value: a variable's or file's name, never a
// secret.
//
// Like the drivers, it expands a leading "~/" in sshKeyFile and knownHosts
// only.
func CheckReferences(inv *Inventory) error {
	r := &resolver{file: inv.Source, knownHosts: map[string]knownHostsFile{}}
	for i, sw := range inv.Switches {
		p := indexPath("switches", i)
		r.credentials(p+".credentials", sw.Credentials)
		r.tls(p+".tls", sw.TLS)
		if sw.KnownHosts != "" && sw.Protocol == ProtocolSSH && !sw.Insecure {
			host, port, err := parseHostPort(sw.Address)
			if err != nil {
				continue // Validate reports it
			}
			if port == 0 {
				port = sw.Port
			}
			r.knownHostsEntry(p+".knownHosts", sw.KnownHosts, host, port)
		}
	}
	for i, s := range inv.DHCPServers {
		p := indexPath("dhcpServers", i)
		r.credentials(p+".credentials", s.Credentials)
		r.tls(p+".tls", s.TLS)
	}
	for i, h := range inv.Hosts {
		if h.SSH == nil {
			continue
		}
		p := indexPath("hosts", i) + ".ssh"
		r.credentials(p+".credentials", h.SSH.Credentials)
		if h.SSH.KnownHosts != "" && h.Address != "" {
			if host, port, err := parseHostPort(h.Address); err == nil {
				if port == 0 {
					port = h.SSH.Port
				}
				r.knownHostsEntry(p+".knownHosts", h.SSH.KnownHosts, host, port)
			}
		}
	}
	if len(r.errs) == 0 {
		return nil
	}
	return sortErrors(r.errs)
}

type resolver struct {
	file       string
	errs       []FieldError
	knownHosts map[string]knownHostsFile // by expanded path: each file is read once
}

type knownHostsFile struct {
	check ssh.HostKeyCallback
	err   error
}

func (r *resolver) add(path, value, msg string) {
	r.errs = append(r.errs, FieldError{File: r.file, Path: path, Value: value, Message: msg})
}

func (r *resolver) credentials(p string, c Credentials) {
	for _, e := range []struct{ field, name string }{
		{"usernameEnv", c.UsernameEnv},
		{"passwordEnv", c.PasswordEnv},
		{"enablePasswordEnv", c.EnablePasswordEnv},
	} {
		if e.name == "" {
			continue
		}
		switch v, ok := os.LookupEnv(e.name); {
		case !ok:
			r.add(p+"."+e.field, e.name, "environment variable "+e.name+" is not set")
		case v == "":
			r.add(p+"."+e.field, e.name, "environment variable "+e.name+" is empty")
		}
	}
	r.readable(p+".passwordFile", c.PasswordFile, false)
	r.readable(p+".sshKeyFile", c.SSHKeyFile, true)
}

func (r *resolver) tls(p string, t *TLS) {
	if t == nil {
		return
	}
	r.readable(p+".ca", t.CA, false)
	r.readable(p+".cert", t.Cert, false)
	r.readable(p+".key", t.Key, false)
}

// readable reports a named file that is missing, not a regular file, or
// cannot be opened for reading, and returns its path ("" after a problem).
func (r *resolver) readable(p, name string, home bool) string {
	if name == "" {
		return ""
	}
	path := name
	if home {
		path = expandHome(name)
	}
	f, err := os.Open(path)
	if err == nil {
		var fi os.FileInfo
		if fi, err = f.Stat(); err == nil && !fi.Mode().IsRegular() {
			err = errors.New("not a regular file")
		}
		f.Close()
	}
	switch {
	case err == nil:
		return path
	case errors.Is(err, fs.ErrNotExist):
		r.add(p, name, "file does not exist")
	case errors.Is(err, fs.ErrPermission):
		r.add(p, name, "file is not readable: permission denied")
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		r.add(p, name, "file is not readable: "+err.Error())
	}
	return ""
}

// knownHostsEntry reports a known_hosts file that cannot be read or parsed,
// or that has no key for host:port (port 0 is SSH's 22). The file is matched
// by x/crypto's knownhosts, as the SSH drivers match it, with a key no entry
// can hold: a KeyError that wants keys means the host has an entry.
func (r *resolver) knownHostsEntry(p, name, host string, port int) {
	path := r.readable(p, name, true)
	if path == "" {
		return
	}
	kh, ok := r.knownHosts[path]
	if !ok {
		kh.check, kh.err = knownhosts.New(path)
		r.knownHosts[path] = kh
	}
	if kh.err != nil {
		r.add(p, name, "cannot be read as a known_hosts file: "+strings.TrimPrefix(kh.err.Error(), "knownhosts: "))
		return
	}
	if port == 0 {
		port = DefaultSSHPort
	}
	address := net.JoinHostPort(host, strconv.Itoa(port))
	err := kh.check(address, &net.TCPAddr{IP: net.IPv4zero, Port: port}, probeKey{})
	var ke *knownhosts.KeyError
	if errors.As(err, &ke) && len(ke.Want) > 0 {
		return
	}
	r.add(p, name, "has no host key for "+knownhosts.Normalize(address)+": add it with ssh-keyscan after checking its fingerprint")
}

// probeKey is a public key that no known_hosts file holds.
type probeKey struct{}

func (probeKey) Type() string                        { return "netalign-probe" }
func (probeKey) Marshal() []byte                     { return []byte("netalign-probe") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key") }

// expandHome replaces a leading "~/" with the user's home directory, as
// the drivers do for sshKeyFile and knownHosts.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~"))
}
