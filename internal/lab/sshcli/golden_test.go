package sshcli

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

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
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.cmd, diff)
			}
		})
	}
}
