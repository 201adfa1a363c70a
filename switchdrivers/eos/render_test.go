package eos

import (
	"flag"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

func TestRender(t *testing.T) { platform.RunRender(t, *update) }
