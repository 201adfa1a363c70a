package nxos

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"

	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// The commands that list what earlier applies may have left on the device:
// configuration sessions never committed, checkpoints never removed.
const (
	CmdShowSessionSummary    = "show configuration session summary"
	CmdShowCheckpointSummary = "show checkpoint summary"
)

// namePrefix starts the name of every configuration session and checkpoint
// netalign creates (clisession.NewName: netalign-<8 hex digits>).
const namePrefix = "netalign"

// ownName matches exactly the names netalign gives: the only sessions and
// checkpoints it ever removes. An operator's "netalign-backup" is not one.
var ownName = regexp.MustCompile(`^` + namePrefix + `-[0-9a-f]{8}$`)

// checkpointEntry is an entry of `show checkpoint summary`: "1) name:"
// (see testdata/show_checkpoint_summary.genie.txt).
var checkpointEntry = regexp.MustCompile(`^\d+\)\s+(\S+):$`)

// OwnSessions returns netalign's configuration sessions listed in `show
// configuration session summary`: the lines whose first field is a name
// netalign gives, in order, once each. The table's other columns and its
// header are not read, so their layout does not matter.
func OwnSessions(summary string) []string {
	return own(listed(summary, func(line string) string {
		if f := strings.Fields(line); len(f) > 0 {
			return f[0]
		}
		return ""
	}))
}

// OwnCheckpoints returns netalign's checkpoints listed in `show checkpoint
// summary` (user and system sections alike), in order, once each.
func OwnCheckpoints(summary string) []string {
	return own(checkpoints(summary))
}

// checkpoints returns every checkpoint listed in `show checkpoint summary`.
func checkpoints(summary string) []string {
	return listed(summary, func(line string) string {
		if m := checkpointEntry.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			return m[1]
		}
		return ""
	})
}

// listed returns the non-empty names pick finds in the lines of text, in
// order, once each.
func listed(text string, pick func(line string) string) []string {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if n := pick(sc.Text()); n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// own keeps the names netalign gives.
func own(names []string) []string {
	return slices.DeleteFunc(names, func(n string) bool { return !ownName.MatchString(n) })
}

// RunningDigest is a digest of `show running-config` that changes only
// when the configuration does: the lines NX-OS rewrites on every read or
// every change ("!Time: ...", "!Running configuration last done at: ..."),
// blank lines and trailing blanks are left out, so two reads of an
// unchanged device give the same digest however their whitespace was
// trimmed on the way.
func RunningDigest(text string) string {
	h := sha256.New()
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, " \t\r\n")
		if line == "" || strings.HasPrefix(line, "!Time:") || strings.HasPrefix(line, "!Running configuration last done at:") {
			continue
		}
		h.Write([]byte(line))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// leftover is a configuration session or a checkpoint of netalign's that
// an earlier apply left on the device: killed, disconnected or failed
// before it could remove it, or run concurrently.
type leftover struct {
	checkpoint bool
	name       string
}

// String is how ApplyResult.Cleaned and the log name it.
func (l leftover) String() string {
	if l.checkpoint {
		return "checkpoint " + l.name
	}
	return "session " + l.name
}

// removal is the exec command that removes it.
func (l leftover) removal() string {
	if l.checkpoint {
		return "no checkpoint " + l.name
	}
	return "no configure session " + l.name
}

// leftovers are netalign's sessions in sessionSummary (`show configuration
// session summary`) and checkpoints in checkpointSummary (`show checkpoint
// summary`), except own, the caller's. Text that is not such a listing (a
// refusal) lists nothing.
func leftovers(sessionSummary, checkpointSummary, own string) []leftover {
	var out []leftover
	for _, n := range OwnSessions(sessionSummary) {
		if n != own {
			out = append(out, leftover{name: n})
		}
	}
	for _, n := range OwnCheckpoints(checkpointSummary) {
		if n != own {
			out = append(out, leftover{checkpoint: true, name: n})
		}
	}
	return out
}

// finish sends, in one write from privileged exec mode, the commands pre,
// the removal of left and, when save, the copy of running-config to
// startup-config, and returns pre's outputs and refusals. Leftovers not
// removed are only logged (gone already, or in use; the next apply tries
// again); those removed are added to res.Cleaned. err is a transport
// failure, or a *switchdrivers.SaveError when the copy failed.
func (d *Driver) finish(ctx context.Context, s *clisession.Session, pre []string, left []leftover, save bool, res *switchdrivers.ApplyResult) (outs []string, refused []error, err error) {
	cmds := append([]string{}, pre...)
	for _, l := range left {
		cmds = append(cmds, l.removal())
	}
	if save {
		cmds = append(cmds, "copy running-config startup-config")
	}
	if len(cmds) == 0 {
		return nil, nil, nil
	}
	outs, refused, err = s.ExecAll(ctx, cmds)
	if err != nil {
		if save {
			err = &switchdrivers.SaveError{Device: d.cfg.Name, Err: err}
		}
		return nil, nil, err
	}
	var removed []string
	for i, l := range left {
		if e := refused[len(pre)+i]; e != nil {
			d.log.Warn("leftover of an earlier apply not removed", "leftover", l.String(), "error", e)
			continue
		}
		removed = append(removed, l.String())
	}
	if len(removed) > 0 {
		res.Cleaned = append(res.Cleaned, removed...)
		d.log.Info("removed what earlier applies left on the device", "removed", removed)
	}
	if save {
		if e := refused[len(cmds)-1]; e != nil {
			return outs[:len(pre)], refused[:len(pre)], &switchdrivers.SaveError{Device: d.cfg.Name, Err: e}
		}
		res.Saved = true
	}
	return outs[:len(pre)], refused[:len(pre)], nil
}
