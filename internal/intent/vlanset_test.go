package intent_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
)

func TestParseVLANSetHostileList(t *testing.T) {
	got, err := intent.ParseVLANSet(hostileVLANList())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(intent.VLANRange(1, 4094), got); diff != "" {
		t.Errorf("hostile list (-want +got):\n%s", diff)
	}
	var fromJSON intent.VLANSet
	if err := json.Unmarshal([]byte(`"`+hostileVLANList()+`"`), &fromJSON); err != nil || !fromJSON.Equal(got) {
		t.Errorf("hostile list through JSON: %d VLANs, %v", len(fromJSON), err)
	}
}

func TestParseVLANSetBounds(t *testing.T) {
	long := strings.Repeat("1,", intent.MaxVLANListLen/2+1)
	_, err := intent.ParseVLANSet(long)
	if err == nil {
		t.Fatal("list longer than MaxVLANListLen accepted")
	}
	bad := strings.Repeat("1-4094,", 1000) + "x"
	_, err = intent.ParseVLANSet(bad)
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("error for a long bad list should be short: %v", err)
	}
}

// TestVLANBitsAddRange compares the bitmap with a plain loop on every range
// edge around the 64-bit word boundaries.
func TestVLANBitsAddRange(t *testing.T) {
	edges := []int{1, 2, 62, 63, 64, 65, 127, 128, 129, 4031, 4032, 4033, 4093, 4094}
	for _, lo := range edges {
		for _, hi := range edges {
			if lo > hi {
				continue
			}
			var b intent.VLANBits
			if err := b.AddRange(lo, hi); err != nil {
				t.Fatal(err)
			}
			if err := b.AddRange(100, 100); err != nil {
				t.Fatal(err)
			}
			want := intent.NewVLANSet(append(intent.VLANRange(lo, hi), 100)...)
			if diff := cmp.Diff(want, b.Set()); diff != "" {
				t.Fatalf("AddRange(%d, %d) (-want +got):\n%s", lo, hi, diff)
			}
		}
	}
	var b intent.VLANBits
	for _, r := range [][2]int{{0, 1}, {4094, 4095}, {10, 5}, {-1, -1}} {
		if err := b.AddRange(r[0], r[1]); err == nil {
			t.Errorf("AddRange(%d, %d) accepted", r[0], r[1])
		}
	}
	if got := b.Set(); len(got) != 0 {
		t.Errorf("rejected ranges left %v", got)
	}
}

func TestVLANSetJSONList(t *testing.T) {
	var s intent.VLANSet
	if err := json.Unmarshal([]byte(` [ 4094, 1, 1 ] `), &s); err != nil || s.String() != "1,4094" {
		t.Errorf("list form: %v %v", s, err)
	}
	if err := json.Unmarshal([]byte(`[]`), &s); err != nil || len(s) != 0 {
		t.Errorf("empty list: %v %v", s, err)
	}
	for _, bad := range []string{`[0]`, `[4095]`, `[1.5]`, `["1"]`, `[1,[2]]`, `{}`, `[1e9]`, `[99999999999999999999]`} {
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s accepted as %v", bad, s)
		}
	}
}
