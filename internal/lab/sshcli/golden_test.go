package sshcli

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/netalign/netalign/internal/golden"
	"github.com/netalign/netalign/internal/lab/device"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestRunningConfigGolden pins the text of `show running-config` and of
// `show running-config | section ^interface` on both dialects.
func TestRunningConfigGolden(t *testing.T) {
	for _, tc := range []struct{ platform, cmd, file string }{
		{device.PlatformEOS, "show running-config", "eos-running-config.golden"},
		{device.PlatformEOS, "show running-config | section ^interface", "eos-section-interface.golden"},
		{device.PlatformEOS, "show port-channel summary", "eos-port-channel-summary.golden"},
		{device.PlatformNXOS, "show running-config", "nxos-running-config.golden"},
		{device.PlatformNXOS, "show port-channel summary", "nxos-port-channel-summary.golden"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			sh := labShell(t, tc.platform)
			got := sh.exec(tc.cmd)
			golden.Check(t, filepath.Join("testdata", tc.file), []byte(got), *update)
		})
	}
}
