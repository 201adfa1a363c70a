package norm

import (
	"strings"
	"testing"
)

func TestMAC(t *testing.T) {
	for in, want := range map[string]string{
		"0200.86a6.2d25":    "02:00:86:a6:2d:25",
		"2C60.0CAD.30DE":    "2c:60:0c:ad:30:de",
		"02-00-86-A6-2D-25": "02:00:86:a6:2d:25",
		"02:00:86:a6:2d:25": "02:00:86:a6:2d:25",
		"Ethernet1/1":       "Ethernet1/1",
		"eth0":              "eth0",
		"597":               "597",
		"":                  "",
	} {
		if got := MAC(in); got != want {
			t.Errorf("MAC(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	type row struct {
		Name string `json:"name"`
	}
	v, err := DecodeJSON[row]([]byte(`{"name": "leaf1"}`), "show hostname | json")
	if err != nil || v.Name != "leaf1" {
		t.Fatalf("DecodeJSON = %+v, %v", v, err)
	}
	if _, err := DecodeJSON[row]([]byte("% Invalid input"), "show hostname | json"); err == nil || !strings.Contains(err.Error(), `parse "show hostname | json": `) {
		t.Errorf("DecodeJSON of an error message = %v; want an error naming the command", err)
	}
}
