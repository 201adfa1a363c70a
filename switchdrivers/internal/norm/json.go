package norm

import (
	"encoding/json"
	"fmt"
)

// DecodeJSON decodes b, the `| json` output of cmd, into a new T; an error
// names the command.
func DecodeJSON[T any](b []byte, cmd string) (*T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("parse %q: %w", cmd, err)
	}
	return &v, nil
}
