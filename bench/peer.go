package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
)

// PeerConfig is one peer benchmark run: netalign and Ansible on two
// identical simulated fleets of N EOS switches.
type PeerConfig struct {
	Netalign string
	// AnsiblePlaybook is the ansible-playbook binary.
	AnsiblePlaybook string
	N               int
	Latency         time.Duration
	// Parallelism is netalign's --parallelism and Ansible's --forks.
	Parallelism int
	Dir         string
	Log         *slog.Logger
}

// Tool names in peer results.
const (
	ToolNetalign = "netalign"
	ToolAnsible  = "ansible"
)

// PeerStep is one measured command of one tool.
type PeerStep struct {
	Tool, Name string
	Run        Run
	Lab        PerSwitch
	// LabCPU is the CPU time the lab (this process) spent serving it.
	LabCPU time.Duration
	// Changed is the number of switches the step changed, from the tool's
	// own report.
	Changed int
}

// PeerResult is the outcome of one peer run.
type PeerResult struct {
	N           int
	Latency     time.Duration
	Parallelism int
	Steps       []PeerStep
	// Identical is true when every switch's running configuration is the
	// same after both tools ran.
	Identical bool
	// Diffs names the switches whose configurations differ, and how.
	Diffs []string
}

// Step returns the named step of a tool.
func (r *PeerResult) Step(tool, name string) *PeerStep {
	for i := range r.Steps {
		if r.Steps[i].Tool == tool && r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}

// Peer step names.
const (
	PeerBlank    = "from blank"
	PeerAgain    = "again (no change)"
	PeerValidate = "validate"
)

// AnsiblePath returns ansible-playbook's path, or an error saying why the
// peer benchmark cannot run.
func AnsiblePath() (string, error) {
	p, err := exec.LookPath("ansible-playbook")
	if err != nil {
		return "", fmt.Errorf("ansible-playbook not found (Debian package ansible, which brings arista.eos): %w", err)
	}
	return p, nil
}

// AnsibleEnv is the environment ansible-playbook runs with: lab
// credentials, no host key checking (the lab's keys are fresh per
// directory; netalign checks them through the lab's known_hosts), no
// colours, and temporary files under dir.
func AnsibleEnv(dir string) []string {
	return append(LabEnv(),
		"ANSIBLE_HOST_KEY_CHECKING=False",
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_FORCE_COLOR=0",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "tmp"),
		"ANSIBLE_PERSISTENT_COMMAND_TIMEOUT=300",
		"ANSIBLE_PERSISTENT_CONNECT_TIMEOUT=300",
		"ANSIBLE_GATHERING=explicit",
	)
}

var recapRE = regexp.MustCompile(`(?m)^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)`)

// recap reads PLAY RECAP: switches with changes, and an error when a host
// failed or was unreachable.
func recap(out string, n int) (int, error) {
	ms := recapRE.FindAllStringSubmatch(out, -1)
	if len(ms) != n {
		return 0, fmt.Errorf("play recap lists %d hosts, want %d", len(ms), n)
	}
	changed := 0
	for _, m := range ms {
		if m[4] != "0" || m[5] != "0" {
			return 0, fmt.Errorf("host %s: unreachable=%s failed=%s", m[1], m[4], m[5])
		}
		if c, _ := strconv.Atoi(m[3]); c > 0 {
			changed++
		}
	}
	return changed, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Peer runs netalign and Ansible against two fresh, identical simulated
// fleets, alternating: netalign apply, playbook, netalign apply again,
// playbook again, netalign validate; then compares the fleets switch by
// switch.
func Peer(ctx context.Context, cfg PeerConfig) (*PeerResult, error) {
	inv := PeerInventory(cfg.N)
	base := filepath.Join(cfg.Dir, fmt.Sprintf("peer-%d-%s", cfg.N, cfg.Latency))
	labs := map[string]*lab.Lab{}
	for _, tool := range []string{ToolNetalign, ToolAnsible} {
		l, err := StartLab(ctx, inv, filepath.Join(base, tool), PeerPorts, cfg.Latency, cfg.Log)
		if err != nil {
			return nil, err
		}
		defer l.Close()
		labs[tool] = l
	}
	pbDir := filepath.Join(base, "playbook")
	if err := os.RemoveAll(pbDir); err != nil {
		return nil, err
	}
	if err := Playbook(pbDir, inv, Endpoints(labs[ToolAnsible]), lab.DefaultUsernameEnv, lab.DefaultPasswordEnv); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(pbDir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	res := &PeerResult{N: cfg.N, Latency: cfg.Latency, Parallelism: cfg.Parallelism}
	par := strconv.Itoa(cfg.Parallelism)
	netalign := func(name string, args ...string) error {
		l := labs[ToolNetalign]
		args = append(args, "-i", l.InventoryPath(), "-o", "json", "--parallelism", par, "--timeout", "10m")
		return res.measure(ctx, cfg, l, ToolNetalign, name, nil, "", cfg.Netalign, args...)
	}
	ansible := func(name string) error {
		return res.measure(ctx, cfg, labs[ToolAnsible], ToolAnsible, name, AnsibleEnv(pbDir), pbDir, cfg.AnsiblePlaybook,
			"-i", HostsFile, PlaybookFile, "--forks", par)
	}
	for _, step := range []func() error{
		func() error { return netalign(PeerBlank, "apply", "--yes") },
		func() error { return ansible(PeerBlank) },
		func() error { return netalign(PeerAgain, "apply", "--yes") },
		func() error { return ansible(PeerAgain) },
		func() error { return netalign(PeerValidate, "validate") },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	res.Diffs = CompareFleets(labs[ToolNetalign], labs[ToolAnsible])
	res.Identical = len(res.Diffs) == 0
	return res, nil
}

func (res *PeerResult) measure(ctx context.Context, cfg PeerConfig, l *lab.Lab, tool, name string, env []string, dir, bin string, args ...string) error {
	cfg.Log.Info("peer step", "n", cfg.N, "latency", cfg.Latency, "tool", tool, "step", name)
	before := counterMap(l)
	cpu0 := selfCPU()
	r, err := Exec(ctx, append(LabEnv(), env...), dir, bin, args...)
	if err != nil {
		return err
	}
	st := PeerStep{Tool: tool, Name: name, Lab: delta(before, counterMap(l)), LabCPU: selfCPU() - cpu0}
	if r.Exit != 0 {
		return fmt.Errorf("peer %d %s: %s %s: exit %d\n%.3000s\n%.3000s", cfg.N, cfg.Latency, tool, name, r.Exit, lastLines(r.Stdout, 40), r.Stderr)
	}
	switch {
	case tool == ToolAnsible:
		st.Changed, err = recap(r.Stdout, cfg.N)
		if err == nil && name == PeerAgain && st.Changed != 0 {
			err = fmt.Errorf("second run changed %d switches: the playbook is not idempotent", st.Changed)
		}
	case name == PeerBlank:
		err = checkStatuses(r.Stdout, "applied", cfg.N)
		st.Changed = cfg.N
	case name == PeerAgain:
		err = checkStatuses(r.Stdout, "unchanged", cfg.N)
	}
	if err != nil {
		return fmt.Errorf("peer %d %s: %s %s: %w\n%s", cfg.N, cfg.Latency, tool, name, err, lastLines(r.Stdout, 40))
	}
	r.Stdout, r.Stderr = "", ""
	st.Run = r
	cfg.Log.Info("peer step done", "tool", tool, "step", name, "wall", r.Wall, "cpu", r.CPU, "maxrss_mb", r.MaxRSS>>20,
		"tree_rss_mb", r.TreeRSS>>20, "commands_per_switch", st.Lab.Commands, "round_trips_per_switch", st.Lab.RoundTrips)
	res.Steps = append(res.Steps, st)
	return nil
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// CompareFleets compares the running configuration of every switch of a
// with the switch of the same name in b and describes each difference.
func CompareFleets(a, b *lab.Lab) []string {
	var diffs []string
	for _, s := range a.Switches() {
		da, db := a.Device(s.Name), b.Device(s.Name)
		if db == nil {
			diffs = append(diffs, s.Name+": missing from the second fleet")
			continue
		}
		ca, cb := da.Running(), db.Running()
		if !ca.Equal(&cb) {
			diffs = append(diffs, s.Name+": "+configDiff(&ca, &cb))
		}
	}
	return diffs
}

// configDiff describes how two configurations differ (-first +second),
// shortened.
func configDiff(a, b *device.Config) string {
	d := cmp.Diff(a, b)
	if len(d) > 2000 {
		d = d[:2000] + "…"
	}
	return d
}
