package intent_test

import (
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

// hostileVLANList is an allowed list of about 350 KB that names every VLAN
// many times over: "1-4094," repeated.
func hostileVLANList() string {
	return strings.Repeat("1-4094,", 350<<10/len("1-4094,"))
}

func BenchmarkParseVLANSetHostile(b *testing.B) {
	list := hostileVLANList()
	b.SetBytes(int64(len(list)))
	b.ReportAllocs()
	for range b.N {
		if _, err := intent.ParseVLANSet(list); err != nil {
			b.Fatal(err)
		}
	}
}
