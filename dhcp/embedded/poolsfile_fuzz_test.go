package embedded

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

// FuzzReadPools reads pools files, seeded with one WritePools wrote. What
// ReadPools accepts, WritePools writes again.
func FuzzReadPools(f *testing.F) {
	dir := f.TempDir()
	seed := filepath.Join(dir, "seed.json")
	pools := []intent.Pool{
		{Network: "vlan200", VLAN: 200, Subnet: "10.200.0.0/24", Ranges: []string{"10.200.0.10-10.200.0.20"}, Relay: "10.200.0.1",
			Gateway: "10.200.0.1", DNS: []string{"10.0.0.53"}, LeaseTime: 3600,
			Reservations: []intent.Reservation{{MAC: "52:54:00:00:00:01", IP: "10.200.0.5", Hostname: "vm1"}}},
		{Network: "vlan300", VLAN: 300, Subnet: "10.30.0.0/24", Ranges: []string{"10.30.0.10-10.30.0.20"}, Interface: "eth3"},
	}
	if err := WritePools(seed, pools); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "pools.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		pools, err := ReadPools(p)
		if err != nil {
			return
		}
		if err := WritePools(p, pools); err != nil {
			t.Fatalf("WritePools of what ReadPools accepted: %v", err)
		}
	})
}
