package kea

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The answers below are the shapes the Kea 2.2 Control Agent sends: a list
// with one answer per service, or a bare object when the agent itself
// answers (for example on a wrong password).
func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name, in string
		want     response
		wantErr  bool
	}{
		{"service answer", `[ { "result": 0, "text": "Configuration seems sane." } ]`, response{Result: 0, Text: "Configuration seems sane."}, false},
		{"service error", `[ { "result": 1, "text": "subnet configuration failed: x" } ]`, response{Result: 1, Text: "subnet configuration failed: x"}, false},
		{"agent answer", `{ "result": 401, "text": "Unauthorized" }`, response{Result: 401, Text: "Unauthorized"}, false},
		{"two services", `[ { "result": 0 }, { "result": 0 } ]`, response{}, true},
		{"garbage", `<html>`, response{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeResponse([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(response{})); diff != "" {
				t.Errorf("decodeResponse (-want +got):\n%s", diff)
			}
		})
	}
}
