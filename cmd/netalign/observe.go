package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newObserveCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "observe",
		Short: "Read every device and write the observed state as a snapshot (JSON)",
		Long: `observe reads every switch, DHCP server and reachable host of the inventory and
writes their state as a versioned snapshot (docs/snapshot.md). plan and validate
accept --snapshot FILE to work offline from it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.newSession(cmd, nil)
			if err != nil {
				return err
			}
			defer s.eng.Close()
			obs := s.eng.Observe(cmd.Context())
			b, err := json.MarshalIndent(obs.Observed, "", "  ")
			if err != nil {
				return exitWith(2, err)
			}
			b = append(b, '\n')
			if out == "" || out == "-" {
				_, err = a.stdout.Write(b)
			} else {
				err = writeFileAtomic(out, b)
			}
			if err != nil {
				return exitWith(2, fmt.Errorf("write snapshot: %w", err))
			}
			if len(obs.Unreachable) > 0 {
				return exitWith(1, unreachableError(obs.Unreachable))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "-", "snapshot file to write (- for stdout)")
	cmd.Flags().Bool("insecure", false, "skip SSH host key and TLS certificate verification (logged per device)")
	return cmd
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".netalign-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
