package harvester

import (
	"bytes"
	"testing"

	"github.com/netalign/netalign/internal/fuzzseed"
)

// FuzzImport reads kubectl output, seeded with the capture in testdata and
// the stream Export writes.
func FuzzImport(f *testing.F) {
	fuzzseed.Add(f, "kubectl-get-clusternetworks-vlanconfigs-nads.yaml", "export.golden")
	f.Fuzz(func(t *testing.T, b []byte) {
		if im, err := Import(bytes.NewReader(b)); err == nil && im == nil {
			t.Fatal("no result and no error")
		}
	})
}
