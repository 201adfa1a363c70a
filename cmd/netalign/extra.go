package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/internal/validate"
)

// addExtraCommands adds the lab, dhcp and harvester commands.
func addExtraCommands(a *app, root *cobra.Command) {}

func (a *app) probeDHCP(ctx context.Context, s *session) ([]validate.Finding, error) {
	return nil, fmt.Errorf("--probe-dhcp: the DHCP probe is not available in this build")
}
