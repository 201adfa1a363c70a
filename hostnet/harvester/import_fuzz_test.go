package harvester

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport reads kubectl output, seeded with the capture in testdata and
// the stream Export writes.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"kubectl-get-clusternetworks-vlanconfigs-nads.yaml", "export.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if im, err := Import(bytes.NewReader(b)); err == nil && im == nil {
			t.Fatal("no result and no error")
		}
	})
}
