// Command netalign keeps the network of a Harvester-style cluster in
// agreement across hosts, switches and DHCP servers. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/netalign/netalign/internal/termsafe"
)

// exitError carries the process exit code chosen by a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitWith wraps err with an exit code; a nil err means "exit silently".
func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, exit: os.Exit}
	ctx, stop := a.handleSignals(context.Background())
	defer stop()
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if a.stopProfile != nil {
		a.stopProfile()
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "netalign: %s\n", termsafe.Escape(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "netalign: %s\n", termsafe.Escape(err.Error()))
	return 1
}
