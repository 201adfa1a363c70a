package intent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// VLANSet is a sorted set of VLAN ids without duplicates. Its text form is the
// switch form: "1,10-20,100"; "all" is 1-4094.
type VLANSet []int

// MaxVLANListLen bounds the text of one VLAN list. The longest list a switch
// can print without repeating itself ("1,3,5,…,4093" with spaces) is about
// 12 KB; the bound leaves room for lists that repeat ranges, and still keeps
// parsing linear in a bounded input.
const MaxVLANListLen = 1 << 20

// ParseVLANSet reads "1,10-20,100", "all" or "none"/"" (empty set). Ranges
// set bits in a 4094-bit set as they are read, never expanded into lists, so
// "1-4094" repeated a thousand times costs what "1-4094" does.
func ParseVLANSet(s string) (VLANSet, error) {
	if len(s) > MaxVLANListLen {
		return nil, fmt.Errorf("vlan list of %d bytes is longer than %d", len(s), MaxVLANListLen)
	}
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "none":
		return VLANSet{}, nil
	case "all":
		return VLANRange(1, 4094), nil
	}
	var set VLANBits
	for rest := s; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("vlan list %s: %s is not a number", quoteShort(s), quoteShort(lo))
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				return nil, fmt.Errorf("vlan list %s: %s is not a number", quoteShort(s), quoteShort(hi))
			}
		}
		if err := set.AddRange(a, b); err != nil {
			return nil, fmt.Errorf("vlan list %s: %s is outside 1-4094", quoteShort(s), quoteShort(part))
		}
	}
	return set.Set(), nil
}

// quoteShort quotes s for an error message, cut to its first 64 bytes so a
// hostile list does not make a hostile message.
func quoteShort(s string) string {
	const limit = 64
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	return strconv.Quote(strings.ToValidUTF8(s[:limit], "")) + fmt.Sprintf("… (%d bytes)", len(s))
}

// VLANBits collects VLAN ids 1-4094 in a bitmap while a list is read: adding
// a range sets its bits, so memory and time per range are constant however
// large the range and however often it repeats. Parsers of device output use
// it for allowed lists; Set returns the result.
type VLANBits struct{ w [64]uint64 }

// AddRange adds lo..hi, or returns an error when it is not a range within
// 1-4094.
func (b *VLANBits) AddRange(lo, hi int) error {
	if lo < 1 || hi > 4094 || lo > hi {
		return fmt.Errorf("vlan range %d-%d is outside 1-4094", lo, hi)
	}
	for lo <= hi {
		i, off := lo/64, uint(lo%64)
		n := min(hi-lo+1, 64-int(off))
		mask := ^uint64(0) >> (64 - uint(n)) << off
		b.w[i] |= mask
		lo += n
	}
	return nil
}

// Set returns the ids as a sorted VLANSet.
func (b *VLANBits) Set() VLANSet {
	n := 0
	for _, w := range b.w {
		n += bits.OnesCount64(w)
	}
	out := make(VLANSet, 0, n)
	for i, w := range b.w {
		for w != 0 {
			out = append(out, i*64+bits.TrailingZeros64(w))
			w &= w - 1
		}
	}
	return out
}

// VLANRange returns the set lo..hi.
func VLANRange(lo, hi int) VLANSet {
	out := make(VLANSet, 0, hi-lo+1)
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

// NewVLANSet sorts and deduplicates ids.
func NewVLANSet(ids ...int) VLANSet {
	s := slices.Clone(ids)
	slices.Sort(s)
	s = slices.Compact(s)
	if s == nil {
		s = VLANSet{}
	}
	return s
}

// Contains reports whether v is in s.
func (s VLANSet) Contains(v int) bool {
	_, ok := slices.BinarySearch(s, v)
	return ok
}

// Union returns s ∪ o.
func (s VLANSet) Union(o VLANSet) VLANSet { return NewVLANSet(append(slices.Clone(s), o...)...) }

// Minus returns s \ o.
func (s VLANSet) Minus(o VLANSet) VLANSet {
	out := VLANSet{}
	for _, v := range s {
		if !o.Contains(v) {
			out = append(out, v)
		}
	}
	return out
}

// Equal reports set equality.
func (s VLANSet) Equal(o VLANSet) bool { return slices.Equal(s, o) }

// Ranges returns the set as inclusive [lo, hi] runs.
func (s VLANSet) Ranges() [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		out = append(out, [2]int{s[i], s[j]})
		i = j + 1
	}
	return out
}

// String renders "1,10-20,100" ("none" for the empty set).
func (s VLANSet) String() string {
	if len(s) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, r := range s.Ranges() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(r[0]))
		if r[1] != r[0] {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(r[1]))
		}
	}
	return b.String()
}

// MarshalJSON writes the compact text form, so snapshots stay readable.
func (s VLANSet) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON accepts the text form or a list of numbers. Both take the
// bounded path of ParseVLANSet: the list is read number by number into a
// VLANBits, so a snapshot's size does not multiply in memory.
func (s *VLANSet) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		v, err := ParseVLANSet(str)
		if err != nil {
			return err
		}
		*s = v
		return nil
	}
	v, err := decodeVLANList(b)
	if err != nil {
		return fmt.Errorf("vlan set: want \"1,10-20\" or [1,10]: %w", err)
	}
	*s = v
	return nil
}

// decodeVLANList reads a JSON array of VLAN ids.
func decodeVLANList(b []byte) (VLANSet, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, fmt.Errorf("not a list")
	}
	var set VLANBits
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		n, ok := t.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%v is not a number", t)
		}
		v, err := strconv.Atoi(n.String())
		if err != nil {
			return nil, fmt.Errorf("%s is not a vlan id", quoteShort(n.String()))
		}
		if err := set.AddRange(v, v); err != nil {
			return nil, fmt.Errorf("vlan %d is outside 1-4094", v)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return set.Set(), nil
}
