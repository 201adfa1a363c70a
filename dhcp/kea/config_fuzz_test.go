package kea

import (
	"testing"

	"github.com/netalign/netalign/internal/fuzzseed"
	"github.com/netalign/netalign/internal/intent"
)

// FuzzParsePools reads a configuration document the way Observe and Apply
// do (Dhcp4, ParsePools, Rewrite with the owned pools), seeded with every
// configuration in testdata; a bare Dhcp4 object is wrapped as config-get's
// arguments.
func FuzzParsePools(f *testing.F) {
	for _, b := range fuzzseed.Files(f, "kea-dhcp4.*") {
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
