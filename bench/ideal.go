package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sync/errgroup"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/switchdrivers/eos"
)

// shell is an interactive SSH session to a lab switch.
type shell struct {
	cl  *ssh.Client
	in  io.WriteCloser
	out io.Reader
	buf []byte
}

// login opens a shell on the lab switch at addr as the lab's user.
func login(ctx context.Context, addr string) (*shell, error) {
	cfg := &ssh.ClientConfig{User: lab.DefaultUsername, Auth: []ssh.AuthMethod{ssh.Password(lab.DefaultPassword)},
		// The lab's own switch on loopback, measured only.
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	sc, chans, reqs, err := ssh.NewClientConn(c, addr, cfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	sh := &shell{cl: ssh.NewClient(sc, chans, reqs)}
	s, err := sh.cl.NewSession()
	if err == nil {
		err = s.RequestPty("vt100", 24, 511, ssh.TerminalModes{})
	}
	if err == nil {
		sh.in, err = s.StdinPipe()
	}
	if err == nil {
		sh.out, err = s.StdoutPipe()
	}
	if err == nil {
		err = s.Shell()
	}
	if err != nil {
		sh.cl.Close()
		return nil, err
	}
	return sh, nil
}

// promptLine is a lab prompt at the start of a line: "sw0001#".
var promptLine = regexp.MustCompile(`(?m)^[A-Za-z0-9._-]+[#>]`)

// readPrompts reads until n more prompts have come, and returns what was
// read.
func (sh *shell) readPrompts(n int) ([]byte, error) {
	start := len(sh.buf)
	chunk := make([]byte, 64<<10)
	for len(promptLine.FindAllIndex(sh.buf[start:], -1)) < n {
		k, err := sh.out.Read(chunk)
		sh.buf = append(sh.buf, chunk[:k]...)
		if err != nil {
			return nil, err
		}
	}
	return sh.buf[start:], nil
}

func (sh *shell) close() { sh.cl.Close() }

// IdealObserve observes the switches at addrs as a client that does only
// the physical minimum would: one SSH login, then the terminal set-up and
// the show commands netalign's EOS driver reads, all in one write, reading
// until every prompt has come back, with no parsing; parallelism switches
// at a time. Its wall time is the best any client can do against this lab
// on this machine: the latency-only bound plus the CPU of SSH and of the
// simulated switches.
func IdealObserve(ctx context.Context, addrs []string, parallelism int) (time.Duration, error) {
	cmds := []string{"terminal width 32767", "terminal length 0", eos.CmdShowVLAN, eos.CmdShowInterfaces,
		eos.CmdShowSwitchport, eos.CmdShowLACPNeighbor, eos.CmdShowMLAGInterface, eos.CmdShowLLDPDetail, eos.CmdShowRunningConfig}
	var payload bytes.Buffer
	for _, c := range cmds {
		payload.WriteString(c + "\n")
	}
	start := time.Now()
	var g errgroup.Group
	g.SetLimit(parallelism)
	for _, addr := range addrs {
		g.Go(func() error {
			sh, err := login(ctx, addr)
			if err != nil {
				return fmt.Errorf("%s: %w", addr, err)
			}
			defer sh.close()
			if _, err := sh.readPrompts(1); err != nil {
				return fmt.Errorf("%s: login prompt: %w", addr, err)
			}
			if _, err := sh.in.Write(payload.Bytes()); err != nil {
				return fmt.Errorf("%s: %w", addr, err)
			}
			if _, err := sh.readPrompts(len(cmds)); err != nil {
				return fmt.Errorf("%s: replies: %w", addr, err)
			}
			return nil
		})
	}
	err := g.Wait()
	return time.Since(start), err
}
