package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/netalign/netalign/bench"
)

// output is where a benchmark's markdown goes: stdout, and the marked
// section of -doc when given. Both benchmarks share the lab directory flag.
type output struct {
	dir, doc, section *string
}

// outputFlags adds -dir, -doc and -section (default section) to fs.
func outputFlags(fs *flag.FlagSet, section string) output {
	return output{
		dir:     fs.String("dir", os.TempDir()+"/netalign-bench", "lab directories"),
		doc:     fs.String("doc", "", "markdown file whose section is regenerated (e.g. docs/performance.md)"),
		section: fs.String("section", section, "name of the marked section -doc rewrites"),
	}
}

// write prints md and rewrites the -doc section with it.
func (o output) write(md string) error {
	fmt.Print(md)
	if *o.doc != "" {
		return bench.ReplaceSection(*o.doc, *o.section, md)
	}
	return nil
}

func joinArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

func splitComma(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
