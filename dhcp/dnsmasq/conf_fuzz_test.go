package dnsmasq

import (
	"testing"

	"github.com/netalign/netalign/internal/fuzzseed"
)

// FuzzParse reads dnsmasq configuration, seeded with the files in testdata
// (dnsmasq's example configuration and the file Render writes). What Parse
// accepts, Render writes back in a form Parse accepts.
func FuzzParse(f *testing.F) {
	fuzzseed.Add(f, "netalign.conf.golden")
	f.Fuzz(func(t *testing.T, data []byte) {
		pools, err := Parse(data)
		if err != nil {
			return
		}
		if _, err := Parse(Render(pools)); err != nil {
			t.Fatalf("Parse of Render's output: %v", err)
		}
	})
}
