package norm

import (
	"strconv"
	"strings"
)

// CompareInterfaces orders canonical interface names naturally: Ethernet2 before
// Ethernet10, Ethernet1/2 before Ethernet1/10, Ethernet before Port-Channel.
func CompareInterfaces(a, b string) int {
	pa, na := split(a)
	pb, nb := split(b)
	if c := strings.Compare(pa, pb); c != 0 {
		return c
	}
	for k := 0; k < len(na) && k < len(nb); k++ {
		if na[k] != nb[k] {
			return na[k] - nb[k]
		}
	}
	if len(na) != len(nb) {
		return len(na) - len(nb)
	}
	return strings.Compare(a, b)
}

func split(s string) (string, []int) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return s, nil
	}
	var nums []int
	for _, p := range strings.FieldsFunc(s[i:], func(r rune) bool { return r < '0' || r > '9' }) {
		n, _ := strconv.Atoi(p)
		nums = append(nums, n)
	}
	return s[:i], nums
}
