package dnsmasq

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse reads dnsmasq configuration, seeded with the files in testdata
// (dnsmasq's example configuration and the file Render writes). What Parse
// accepts, Render writes back in a form Parse accepts.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"dnsmasq.conf.example", "netalign.conf.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
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
