package gnmi

import (
	"runtime"
	"testing"

	gpb "github.com/openconfig/gnmi/proto/gnmi"
)

// BenchmarkSetLACPLAG measures one atomic Set of a LACP LAG with two
// members, trunk VLANs and two VLAN definitions, over TLS.
func BenchmarkSetLACPLAG(b *testing.B) {
	t := b
	tg := startTarget(t, Options{})
	req := lacpLAGRequest(t)
	ctx := authCtx(t, testUser, testPass)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tg.client.Set(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetRoot measures a Get of the whole tree (configuration and
// state), what the driver's Observe asks for in one request.
func BenchmarkGetRoot(b *testing.B) {
	t := b
	tg := startTarget(t, Options{})
	ctx := authCtx(t, testUser, testPass)
	if _, err := tg.client.Set(ctx, lacpLAGRequest(t)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tg.client.Get(ctx, &gpb.GetRequest{Encoding: gpb.Encoding_JSON_IETF}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServerMemory reports the heap one idle gNMI frontend (listening,
// no connection) holds, for the lab's 1,000-switch scale target. The lab CA
// and its server certificate are shared by every switch.
func BenchmarkServerMemory(b *testing.B) {
	ca, err := LoadOrCreateCA(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ca.ServerCertificate(); err != nil {
		b.Fatal(err)
	}
	const n = 200
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		servers := make([]*Server, 0, n)
		for j := 0; j < n; j++ {
			s, err := New(testDevice(), Options{CA: ca, Username: testUser, Password: testPass})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Listen("127.0.0.1:0"); err != nil {
				b.Fatal(err)
			}
			servers = append(servers, s)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-bytes/switch")
		for _, s := range servers {
			s.Close()
		}
	}
}
