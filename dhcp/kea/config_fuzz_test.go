package kea

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

// FuzzParsePools reads a configuration document the way Observe and Apply
// do (Dhcp4, ParsePools, Rewrite with the owned pools), seeded with every
// configuration in testdata; a bare Dhcp4 object is wrapped as config-get's
// arguments.
func FuzzParsePools(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "kea-dhcp4.*"))
	if len(names) == 0 {
		f.Fatal("no configuration in testdata")
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := Dhcp4(b); err != nil {
			b = append(append([]byte(`{"Dhcp4":`), b...), '}')
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		d, err := Dhcp4(doc)
		if err != nil {
			return
		}
		pools, err := ParsePools(d)
		if err != nil {
			return
		}
		var owned []intent.Pool
		for _, p := range pools {
			if p.Owned {
				owned = append(owned, p)
			}
		}
		_, _ = Rewrite(d, owned)
	})
}
