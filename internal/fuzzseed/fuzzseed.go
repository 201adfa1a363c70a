// Package fuzzseed reads the captures under a package's testdata that its
// fuzz targets start from.
package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
)

// Files returns the contents of the files under testdata that match the
// patterns (filepath.Match syntax), in pattern order then name order. A
// pattern that matches nothing fails t: a renamed capture must not leave a
// fuzz target without its seeds.
func Files(t testing.TB, patterns ...string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, pat := range patterns {
		names, err := filepath.Glob(filepath.Join("testdata", pat))
		if err != nil || len(names) == 0 {
			t.Fatalf("no file in testdata matches %s", pat)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// Add adds each file under testdata that matches the patterns to f's seed
// corpus, for targets that take one []byte.
func Add(f *testing.F, patterns ...string) {
	f.Helper()
	for _, b := range Files(f, patterns...) {
		f.Add(b)
	}
}
