package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// The control socket (Dir/lab.sock) takes one JSON request per connection
// and answers one JSON reply:
//
//	{"op":"drift","switch":"leaf1","args":["remove-allowed-vlan","Ethernet1","100"]}
//	{"op":"down"}
//	{"op":"switches"}
type controlRequest struct {
	Op     string   `json:"op"`
	Switch string   `json:"switch,omitempty"`
	Args   []string `json:"args,omitempty"`
}

type controlReply struct {
	Error    string       `json:"error,omitempty"`
	Switches []SwitchInfo `json:"switches,omitempty"`
}

// ErrNoLab: no lab is running in the directory.
var ErrNoLab = errors.New("no lab running")

func (l *Lab) serveControl() error {
	path := filepath.Join(l.dir, SocketFile)
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return fmt.Errorf("lab: a lab is already running in %s", l.dir)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("lab: control socket: %w", err)
	}
	l.ctl = ln
	l.ctlWG.Add(1)
	go func() {
		defer l.ctlWG.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.ctlWG.Add(1)
			go func() {
				defer l.ctlWG.Done()
				defer c.Close()
				l.serveOne(c)
			}()
		}
	}()
	return nil
}

func (l *Lab) serveOne(c net.Conn) {
	var req controlRequest
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &req)
	}
	var rep controlReply
	switch {
	case err != nil:
		rep.Error = "bad request: " + err.Error()
	case req.Op == "drift":
		if err := l.Drift(req.Switch, req.Args); err != nil {
			rep.Error = err.Error()
		}
	case req.Op == "switches":
		rep.Switches = l.Switches()
	case req.Op == "down":
		l.doneOnce.Do(func() { close(l.done) })
	default:
		rep.Error = fmt.Sprintf("unknown op %q", req.Op)
	}
	b, _ := json.Marshal(rep)
	c.Write(append(b, '\n'))
}

func control(ctx context.Context, dir string, req controlRequest) (controlReply, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", filepath.Join(dir, SocketFile))
	if err != nil {
		return controlReply{}, fmt.Errorf("lab %s: %w: %w", dir, ErrNoLab, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	b, _ := json.Marshal(req)
	if _, err := c.Write(append(b, '\n')); err != nil {
		return controlReply{}, fmt.Errorf("lab %s: %w", dir, err)
	}
	line, err := bufio.NewReader(c).ReadBytes('\n')
	if err != nil {
		return controlReply{}, fmt.Errorf("lab %s: %w", dir, err)
	}
	var rep controlReply
	if err := json.Unmarshal(line, &rep); err != nil {
		return controlReply{}, fmt.Errorf("lab %s: reply: %w", dir, err)
	}
	if rep.Error != "" {
		return rep, fmt.Errorf("lab %s: %s", dir, rep.Error)
	}
	return rep, nil
}

// Drift asks the lab running in dir to apply a drift to a switch (see
// device.DriftUsage for the words).
func Drift(ctx context.Context, dir, sw string, args []string) error {
	_, err := control(ctx, dir, controlRequest{Op: "drift", Switch: sw, Args: args})
	return err
}

// Down asks the lab running in dir to stop; its Done channel closes.
func Down(ctx context.Context, dir string) error {
	_, err := control(ctx, dir, controlRequest{Op: "down"})
	return err
}

// Running lists the switches of the lab running in dir.
func Running(ctx context.Context, dir string) ([]SwitchInfo, error) {
	rep, err := control(ctx, dir, controlRequest{Op: "switches"})
	return rep.Switches, err
}
