package inventory_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netalign/netalign/inventory"
)

var fuzzFormats = []string{"yaml", "json", "toml"}

// FuzzLoad feeds the loader arbitrary documents: it must not panic or hang,
// and it returns either a valid inventory or problems of one line each.
// Seeds: configs/*.yaml and the inventories under testdata.
func FuzzLoad(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../configs/*.yaml", "testdata/invalid/*.yaml", "testdata/valid/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		for i, format := range fuzzFormats {
			if strings.TrimPrefix(filepath.Ext(s), ".") == format {
				f.Add(data, uint8(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		name := "fuzz." + fuzzFormats[int(format)%len(fuzzFormats)]
		inv, err := inventory.LoadBytes(context.Background(), name, data, fuzzFormats[int(format)%len(fuzzFormats)], opts)
		if err == nil {
			if verr := inventory.Validate(inv, opts); verr != nil {
				t.Fatalf("loaded an inventory that does not validate: %v", verr)
			}
			return
		}
		var ve inventory.ValidationErrors
		if errors.As(err, &ve) {
			for _, e := range ve {
				if strings.ContainsAny(e.Error(), "\n\r") {
					t.Fatalf("a problem spans lines: %q", e.Error())
				}
			}
		}
	})
}
