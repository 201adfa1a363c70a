package main

import (
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/netalign/netalign/internal/validate"
	"github.com/netalign/netalign/inventory"
)

// runInfo heads every JSON document: which netalign, when, from which
// inventory file.
type runInfo struct {
	Netalign  string `json:"netalign"`
	Time      string `json:"time"`
	Inventory string `json:"inventory"`
}

// runInfo is this run's header.
func (a *app) runInfo() runInfo {
	return runInfo{Netalign: version(), Time: time.Now().UTC().Format(time.RFC3339), Inventory: a.v.GetString("inventory")}
}

// runErrors turns an error that kept a command from running into report
// entries: one per inventory field for an invalid inventory, else one.
func runErrors(err error) []validate.RunError {
	var verrs inventory.ValidationErrors
	if errors.As(err, &verrs) {
		out := make([]validate.RunError, 0, len(verrs))
		for _, e := range verrs {
			out = append(out, validate.RunError{Code: validate.RunInventoryInvalid, File: e.File, Path: e.Path, Value: e.Value, Message: e.Message})
		}
		return out
	}
	var pe *probeError
	if errors.As(err, &pe) {
		return []validate.RunError{{Code: validate.RunProbeFailed, Message: err.Error()}}
	}
	return []validate.RunError{{Code: validate.RunFailed, Message: err.Error()}}
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
