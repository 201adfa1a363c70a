package intent

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// VLANSet is a sorted set of VLAN ids without duplicates. Its text form is the
// switch form: "1,10-20,100"; "all" is 1-4094.
type VLANSet []int

// ParseVLANSet reads "1,10-20,100", "all" or "none"/"" (empty set).
func ParseVLANSet(s string) (VLANSet, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "none":
		return VLANSet{}, nil
	case "all":
		return VLANRange(1, 4094), nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("vlan list %q: %q is not a number", s, lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				return nil, fmt.Errorf("vlan list %q: %q is not a number", s, hi)
			}
		}
		if a < 1 || b > 4094 || a > b {
			return nil, fmt.Errorf("vlan list %q: %q is outside 1-4094", s, part)
		}
		for v := a; v <= b; v++ {
			out = append(out, v)
		}
	}
	return NewVLANSet(out...), nil
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

// UnmarshalJSON accepts the text form or a list of numbers.
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
	var ids []int
	if err := json.Unmarshal(b, &ids); err != nil {
		return fmt.Errorf("vlan set: want \"1,10-20\" or [1,10]: %w", err)
	}
	*s = NewVLANSet(ids...)
	return nil
}
