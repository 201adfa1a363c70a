package switchdrivers

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// Default ports and settings used by ConfigFor.
const (
	DefaultSSHPort         = 22
	DefaultGNMIPort        = 6030
	DefaultTimeout         = 60 * time.Second
	DefaultNetworkInstance = "default"
	// DefaultKnownHosts is the known_hosts file used when the inventory
	// names none; "~" is the user's home directory.
	DefaultKnownHosts = "~/.ssh/known_hosts"
)

// ConfigFor builds the connection Config of one inventory switch: protocol
// default (gnmi for openconfig, ssh otherwise), host and port from address
// "host[:port]" (IPv6 in brackets) or the port field, credentials resolved
// through internal/secret (never read from the inventory in clear), the
// known_hosts file (default ~/.ssh/known_hosts, "~" expanded), TLS files,
// and the run settings (timeout, save, and rollbackTimeout as the time a
// commit waits for its confirmation). Errors do not name the switch (the
// caller does); unset credentials are CREDENTIALS_MISSING.
func ConfigFor(sw inventory.Switch, settings inventory.Settings) (Config, error) {
	cfg := Config{
		Name:            sw.Name,
		Platform:        strings.ToLower(strings.TrimSpace(sw.Platform)),
		Protocol:        strings.ToLower(strings.TrimSpace(sw.Protocol)),
		Insecure:        sw.Insecure,
		NetworkInstance: sw.NetworkInstance,
		Timeout:         settings.Timeout,
		Save:            settings.SaveConfig,
		ConfirmTimeout:  settings.RollbackTimeout,
	}
	if cfg.Protocol == "" {
		cfg.Protocol = "ssh"
		if cfg.Platform == "openconfig" {
			cfg.Protocol = "gnmi"
		}
	}
	defPort := DefaultSSHPort
	switch cfg.Protocol {
	case "ssh":
	case "gnmi":
		defPort = DefaultGNMIPort
	default:
		return Config{}, fmt.Errorf("protocol %q: want ssh or gnmi", sw.Protocol)
	}
	host, port, err := splitAddress(sw.Address)
	if err != nil {
		return Config{}, fmt.Errorf("address: %w", err)
	}
	if sw.Port != 0 {
		if port != 0 && port != sw.Port {
			return Config{}, fmt.Errorf("address %q names port %d but port is %d", sw.Address, port, sw.Port)
		}
		port = sw.Port
	}
	if port == 0 {
		port = defPort
	}
	if port < 1 || port > 65535 {
		return Config{}, fmt.Errorf("port %d is outside 1-65535", port)
	}
	cfg.Host, cfg.Port = host, port

	if sw.Credentials.Password != "" {
		return Config{}, errors.New("credentials: clear-text password is not accepted; use passwordEnv, passwordFile, sshKeyFile or sshAgent")
	}
	cred, err := secret.Resolve(sw.Credentials)
	if err != nil {
		return Config{}, err
	}
	cfg.Username = cred.Username
	cfg.Password = cred.Password
	cfg.EnablePassword = cred.EnablePassword
	cfg.Agent = cred.Agent
	cfg.CredentialSource = secret.Source(sw.Credentials)
	if cred.KeyFile != "" {
		if cfg.KeyFile, err = expandHome(cred.KeyFile); err != nil {
			return Config{}, fmt.Errorf("sshKeyFile: %w", err)
		}
	}

	if cfg.Protocol == "ssh" {
		kh := sw.KnownHosts
		if kh == "" {
			kh = DefaultKnownHosts
		}
		if cfg.KnownHosts, err = expandHome(kh); err != nil {
			return Config{}, fmt.Errorf("knownHosts: %w", err)
		}
	}
	if sw.TLS != nil {
		cfg.CAFile, cfg.CertFile, cfg.KeyPEMFile, cfg.ServerName = sw.TLS.CA, sw.TLS.Cert, sw.TLS.Key, sw.TLS.ServerName
	}
	if cfg.NetworkInstance == "" {
		cfg.NetworkInstance = DefaultNetworkInstance
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return cfg, nil
}

// splitAddress splits "host", "host:port", "[v6]" or "[v6]:port"; a bare
// IPv6 address without brackets is a host without port. Port 0 means none.
func splitAddress(addr string) (string, int, error) {
	a := strings.TrimSpace(addr)
	if a == "" {
		return "", 0, fmt.Errorf("empty")
	}
	if strings.HasPrefix(a, "[") && strings.HasSuffix(a, "]") {
		return a[1 : len(a)-1], 0, nil
	}
	if strings.Count(a, ":") > 1 && !strings.HasPrefix(a, "[") {
		if net.ParseIP(a) == nil {
			return "", 0, fmt.Errorf("%q is not host[:port]", addr)
		}
		return a, 0, nil
	}
	if !strings.Contains(a, ":") {
		return a, 0, nil
	}
	h, p, err := net.SplitHostPort(a)
	if err != nil {
		return "", 0, fmt.Errorf("%q: %w", addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("%q: port %q is not 1-65535", addr, p)
	}
	if h == "" {
		return "", 0, fmt.Errorf("%q: empty host", addr)
	}
	return h, n, nil
}

// expandHome replaces a leading "~/" with the user's home directory.
func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expand %q: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}
