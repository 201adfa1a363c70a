package access

import (
	"context"
	"errors"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/secret"
)

// authMethods are the SSH authentication methods c allows: public keys
// (ssh-agent's, then the key file's, in one method: crypto/ssh tries each
// method once), then the password, also answering keyboard-interactive
// prompts with it. The connection to ssh-agent (SSH_AUTH_SOCK), when c
// uses it, is made under ctx; closeAgent closes it and must be called once
// the handshake is over. No method at all, an unreadable key file, an
// unset SSH_AUTH_SOCK or an unreachable agent is CREDENTIALS_MISSING.
func authMethods(ctx context.Context, user string, c secret.Resolved) (auth []ssh.AuthMethod, closeAgent func(), err error) {
	closeAgent = func() {}
	var signers []ssh.Signer
	if c.KeyFile != "" {
		s, err := readKeyFile(c.KeyFile)
		if err != nil {
			return nil, nil, err
		}
		signers = append(signers, s)
	}
	if c.Agent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, nil, cause.New(cause.CredentialsMissing, "sshAgent is set but SSH_AUTH_SOCK is not: start ssh-agent and add the key (ssh-add)")
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "unix", sock)
		if err != nil {
			return nil, nil, cause.Wrap(cause.CredentialsMissing, err, "cannot reach ssh-agent at %s (SSH_AUTH_SOCK): %s", sock, reason(err))
		}
		closeAgent = func() { conn.Close() }
		keyring := agent.NewClient(conn)
		auth = append(auth, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			s, err := keyring.Signers()
			return append(s, signers...), err
		}))
	} else if len(signers) > 0 {
		auth = append(auth, ssh.PublicKeys(signers...))
	}
	if !c.Password.IsZero() {
		pw := c.Password.Reveal()
		auth = append(auth, ssh.Password(pw), ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
			answers := make([]string, len(questions))
			for i := range answers {
				answers[i] = pw
			}
			return answers, nil
		}))
	}
	if len(auth) == 0 {
		return nil, nil, cause.New(cause.CredentialsMissing, "no credentials for user %s: set passwordEnv, passwordFile, sshKeyFile or sshAgent", user)
	}
	return auth, closeAgent, nil
}

// readKeyFile reads and parses an unencrypted private key file.
func readKeyFile(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, cause.Wrap(cause.CredentialsMissing, err, "cannot read sshKeyFile %s: %s", path, reason(err))
	}
	s, err := ssh.ParsePrivateKey(b)
	var pm *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &pm):
		return nil, cause.Wrap(cause.CredentialsMissing, err, "sshKeyFile %s is protected by a passphrase: add it to ssh-agent (ssh-add) and set sshAgent", path)
	case err != nil:
		return nil, cause.Wrap(cause.CredentialsMissing, err, "sshKeyFile %s is not a private key: %v", path, err)
	}
	return s, nil
}
