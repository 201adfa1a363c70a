package sshcli

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// semantic wraps a device-level refusal in the dialect's wording: EOS
// prints "% Error: ...", NX-OS "ERROR: ...".
func (sh *shell) semantic(format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if sh.dev.Platform() == device.PlatformNXOS {
		return cliError("ERROR: " + msg)
	}
	return cliError("% Error: " + msg)
}

// wrapErr turns a device model error into CLI wording.
func (sh *shell) wrapErr(err error) error {
	if err == nil {
		return nil
	}
	var ce cliError
	if errors.As(err, &ce) {
		return err
	}
	return sh.semantic("%s", err.Error())
}

var rangeRE = regexp.MustCompile(`^(.*\D)(\d+)-(\d+)$`)

// parseIfRange expands "Ethernet1-3,Et5, Po10" into canonical names.
func parseIfRange(text string) ([]string, error) {
	var out []string
	prefix := ""
	for _, part := range strings.Split(text, ",") {
		part = strings.Join(strings.Fields(part), "")
		if part == "" {
			continue
		}
		if part[0] >= '0' && part[0] <= '9' && prefix != "" {
			part = prefix + part
		}
		if m := rangeRE.FindStringSubmatch(part); m != nil && !strings.HasSuffix(strings.ToLower(m[1]), "-channel") {
			lo, _ := strconv.Atoi(m[2])
			hi, _ := strconv.Atoi(m[3])
			if lo > hi || hi-lo > 1024 {
				return nil, fmt.Errorf("bad range %s", part)
			}
			for i := lo; i <= hi; i++ {
				out = append(out, intent.NormalizeInterface(m[1]+strconv.Itoa(i)))
			}
			prefix = m[1]
			continue
		}
		n := intent.NormalizeInterface(part)
		if !strings.HasPrefix(n, "Ethernet") && !strings.HasPrefix(n, "Port-Channel") {
			return nil, fmt.Errorf("unknown interface %s", part)
		}
		if m := regexp.MustCompile(`^(.*\D)\d+$`).FindStringSubmatch(part); m != nil {
			prefix = m[1]
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no interface")
	}
	return out, nil
}

// parseVLANList reads a VLAN list argument (1-4094 ids).
func parseVLANList(s string) (intent.VLANSet, error) {
	v, err := intent.ParseVLANSet(s)
	if err != nil || strings.EqualFold(s, "none") || strings.EqualFold(s, "all") {
		if err == nil {
			return nil, errors.New("not a list")
		}
		return nil, err
	}
	return v, nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// --- exec mode -----------------------------------------------------------

func cmdEnable(sh *shell, _ []string) (string, error) {
	if sh.priv {
		sh.level = mPriv
		return "", nil
	}
	if sh.srv.opts.EnableSecret == "" {
		sh.priv, sh.level = true, mPriv
		return "", nil
	}
	sh.awaitPassword = true
	return "", nil
}

func cmdDisable(sh *shell, _ []string) (string, error) {
	sh.level = mExec
	sh.priv = false
	return "", nil
}

func cmdExit(sh *shell, _ []string) (string, error) {
	switch sh.level {
	case mExec, mPriv:
		sh.quit = true
	case mConf:
		sh.level, sh.sess = mPriv, nil
	default:
		sh.level, sh.ifs, sh.vlans = mConf, nil, nil
	}
	return "", nil
}

func cmdEnd(sh *shell, _ []string) (string, error) {
	sh.level, sh.ifs, sh.vlans, sh.sess = mPriv, nil, nil, nil
	return "", nil
}

func cmdTerminalLength(sh *shell, a []string) (string, error) {
	sh.length = atoi(a[0])
	if sh.dev.Platform() == device.PlatformEOS && sh.length == 0 {
		return "Pagination disabled.", nil
	}
	return "", nil
}

func cmdTerminalWidth(sh *shell, a []string) (string, error) {
	sh.width = atoi(a[0])
	if sh.dev.Platform() == device.PlatformEOS {
		return fmt.Sprintf("Width set to %d columns.", sh.width), nil
	}
	return "", nil
}

func cmdConfigure(sh *shell, _ []string) (string, error) {
	sh.level, sh.sess = mConf, nil
	return "", nil
}

func cmdCopyRunStart(sh *shell, _ []string) (string, error) {
	sh.dev.Save()
	if sh.dev.Platform() == device.PlatformNXOS {
		return "[########################################] 100%\nCopy complete, now saving to disk (please wait)...\nCopy complete.", nil
	}
	return "Copy completed successfully.", nil
}

// --- global configuration ---------------------------------------------------

func cmdHostname(sh *shell, a []string) (string, error) {
	return "", sh.wrapErr(sh.apply(func(c *device.Config) error { c.Hostname = a[0]; return nil }))
}

func cmdVLAN(sh *shell, a []string) (string, error) {
	ids, err := parseVLANList(a[0])
	if err != nil {
		return "", invalidAt(1, a[0])
	}
	if err := sh.apply(func(c *device.Config) error {
		for _, id := range ids {
			if err := c.AddVLAN(id, ""); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return "", sh.wrapErr(err)
	}
	sh.level, sh.vlans, sh.ifs = mVlan, ids, nil
	return "", nil
}

func cmdNoVLAN(sh *shell, a []string) (string, error) {
	ids, err := parseVLANList(a[0])
	if err != nil {
		return "", invalidAt(2, a[0])
	}
	return "", sh.wrapErr(sh.apply(func(c *device.Config) error {
		for _, id := range ids {
			if id == 1 {
				return cliError("% Cannot delete the default VLAN")
			}
			delete(c.VLANs, id)
		}
		return nil
	}))
}

func cmdVLANName(sh *shell, a []string) (string, error) {
	return "", sh.wrapErr(sh.apply(func(c *device.Config) error {
		for _, id := range sh.vlans {
			if v, ok := c.VLANs[id]; ok {
				v.Name = a[0]
			}
		}
		return nil
	}))
}

func cmdNoVLANName(sh *shell, _ []string) (string, error) {
	return "", sh.wrapErr(sh.apply(func(c *device.Config) error {
		for _, id := range sh.vlans {
			if v, ok := c.VLANs[id]; ok {
				v.Name = device.DefaultVLANName(id)
			}
		}
		return nil
	}))
}

func cmdInterface(sh *shell, a []string) (string, error) {
	names, err := parseIfRange(a[0])
	if err != nil {
		return "", invalidAt(1, a[0])
	}
	if err := sh.apply(func(c *device.Config) error {
		for _, n := range names {
			if id := intent.LAGID(n); id > 0 {
				if _, err := c.EnsurePortChannel(id); err != nil {
					return err
				}
				continue
			}
			if _, err := c.Interface(n); err != nil {
				return invalidAt(1, a[0])
			}
		}
		return nil
	}); err != nil {
		return "", sh.wrapErr(err)
	}
	sh.level, sh.ifs, sh.vlans = mIf, names, nil
	return "", nil
}

func cmdNoInterface(sh *shell, a []string) (string, error) {
	names, err := parseIfRange(a[0])
	if err != nil {
		return "", invalidAt(2, a[0])
	}
	return "", sh.wrapErr(sh.apply(func(c *device.Config) error {
		for _, n := range names {
			if id := intent.LAGID(n); id > 0 {
				if err := c.RemovePortChannel(id); err != nil {
					return cliError("% Interface does not exist")
				}
				continue
			}
			in, err := c.Interface(n)
			if err != nil {
				return cliError("% Interface does not exist")
			}
			in.Reset()
		}
		return nil
	}))
}

func cmdFeature(on bool) func(sh *shell, a []string) (string, error) {
	return func(sh *shell, a []string) (string, error) {
		f := strings.ToLower(a[0])
		switch f {
		case "lacp", "vpc", "lldp", "interface-vlan", "dhcp":
		default:
			return "", cliError(nxInvalidMarker(sh, len("feature ")))
		}
		return "", sh.wrapErr(sh.apply(func(c *device.Config) error {
			if on {
				c.Features[f] = true
			} else {
				delete(c.Features, f)
				if f == "lacp" {
					// Removing the feature removes its configuration.
					for _, in := range c.Interfaces {
						if in.ChannelMode == intent.ChannelActive || in.ChannelMode == intent.ChannelPassive {
							in.ChannelGroup, in.ChannelMode = 0, ""
						}
						in.LACPRate, in.MinLinks = "", 0
					}
				}
				if f == "vpc" {
					c.MLAG = false
					for _, in := range c.Interfaces {
						in.MLAGID = 0
					}
				}
			}
			return nil
		}))
	}
}

func cmdVPCDomain(sh *shell, _ []string) (string, error) {
	return "", sh.wrapErr(sh.apply(func(c *device.Config) error {
		if !c.Features["vpc"] {
			return cliError(nxInvalidMarker(sh, 0))
		}
		c.MLAG = true
		return nil
	}))
}

// --- interface configuration ------------------------------------------------

func ifSet(fn func(in *device.Interface)) func(sh *shell, a []string) (string, error) {
	return func(sh *shell, _ []string) (string, error) {
		return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
			fn(in)
			return nil
		}))
	}
}

func cmdDescription(sh *shell, a []string) (string, error) {
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		in.Description = a[0]
		return nil
	}))
}

func cmdMTU(sh *shell, a []string) (string, error) {
	mtu := atoi(a[0])
	lo, hi := 68, 9214
	if sh.dev.Platform() == device.PlatformNXOS {
		lo, hi = 576, 9216
	}
	if mtu < lo || mtu > hi {
		return "", invalidAt(1, a[0])
	}
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		in.MTU = mtu
		return nil
	}))
}

func cmdSwitchportMode(sh *shell, a []string) (string, error) {
	var m intent.SwitchportMode
	switch strings.ToLower(a[0]) {
	case "trunk", "t", "tr", "tru", "trun":
		m = intent.ModeTrunk
	case "access", "a", "ac", "acc", "acce", "acces":
		m = intent.ModeAccess
	default:
		return "", invalidAt(2, a[0])
	}
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		in.Mode, in.Routed = m, false
		return nil
	}))
}

func cmdAccessVLAN(sh *shell, a []string) (string, error) {
	v := atoi(a[0])
	if v < 1 || v > 4094 {
		return "", invalidAt(3, a[0])
	}
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		in.AccessVLAN = v
		return nil
	}))
}

func cmdNativeVLAN(sh *shell, a []string) (string, error) {
	v := atoi(a[0])
	if v < 1 || v > 4094 {
		return "", invalidAt(4, a[0])
	}
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		in.NativeVLAN = v
		return nil
	}))
}

// cmdAllowed handles `switchport trunk allowed vlan [add|remove|except] L`,
// `all` and `none`.
func cmdAllowed(op string) func(sh *shell, a []string) (string, error) {
	return func(sh *shell, a []string) (string, error) {
		arg := a[0]
		tok := 4
		if op != "" {
			tok = 5
		}
		var set intent.VLANSet
		switch strings.ToLower(arg) {
		case "all":
			if op != "" {
				return "", invalidAt(tok, arg)
			}
			set = device.AllVLANs()
		case "none":
			if op != "" {
				return "", invalidAt(tok, arg)
			}
			set = intent.VLANSet{}
		default:
			v, err := parseVLANList(arg)
			if err != nil {
				return "", invalidAt(tok, arg)
			}
			set = v
		}
		return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
			switch op {
			case "":
				in.Allowed = set
			case "add":
				in.Allowed = in.Allowed.Union(set)
			case "remove":
				in.Allowed = in.Allowed.Minus(set)
			case "except":
				in.Allowed = device.AllVLANs().Minus(set)
			}
			if len(in.Allowed) == 4094 {
				in.Allowed = device.AllVLANs()
			}
			return nil
		}))
	}
}

func cmdChannelGroup(sh *shell, a []string) (string, error) {
	id := atoi(a[0])
	mode := intent.ChannelMode(strings.ToLower(a[1]))
	if mode.LAGType() == intent.LAGNone {
		return "", invalidAt(3, a[1])
	}
	if sh.dev.Platform() == device.PlatformNXOS && mode != intent.ChannelOn && !sh.currentFeature("lacp") {
		return "", cliError(nxInvalidMarker(sh, len("channel-group "+a[0]+" mode ")))
	}
	return "", sh.wrapErr(sh.forEachIf(func(c *device.Config, in *device.Interface) error {
		if in.IsLAG() {
			return invalidAt(0, "channel-group")
		}
		_, existed := c.Interfaces[intent.LAGName(id)]
		if err := c.SetChannelGroup(in.Name, id, mode); err != nil {
			if errors.Is(err, device.ErrModeMismatch) {
				return sh.semantic("cannot add %s to %s: channel mode %s does not match the other members", in.Name, intent.LAGName(id), mode)
			}
			return err
		}
		if sh.dev.Platform() != device.PlatformNXOS {
			return nil
		}
		// NX-OS: a new port-channel takes the first member's layer-2
		// configuration; later members take the port-channel's.
		lag := c.Interfaces[intent.LAGName(id)]
		if !existed {
			lag.Mode, lag.AccessVLAN, lag.NativeVLAN, lag.Allowed, lag.MTU = in.Mode, in.AccessVLAN, in.NativeVLAN, in.Allowed, in.MTU
			return nil
		}
		in.Mode, in.AccessVLAN, in.NativeVLAN, in.Allowed = lag.Mode, lag.AccessVLAN, lag.NativeVLAN, lag.Allowed
		return nil
	}))
}

func (sh *shell) currentFeature(f string) bool {
	if sh.sess != nil {
		return sh.sess.cfg.Features[f]
	}
	return sh.running().Features[f]
}

func cmdNoChannelGroup(sh *shell, _ []string) (string, error) {
	return "", sh.wrapErr(sh.forEachIf(func(c *device.Config, in *device.Interface) error {
		return c.ClearChannelGroup(in.Name)
	}))
}

func cmdLACPRate(sh *shell, a []string) (string, error) {
	r := strings.ToLower(a[0])
	if r != "fast" && r != "normal" {
		return "", invalidAt(2, a[0])
	}
	if sh.dev.Platform() == device.PlatformNXOS && !sh.currentFeature("lacp") {
		return "", cliError(nxInvalidMarker(sh, 0))
	}
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		if r == "normal" {
			r = ""
		}
		in.LACPRate = r
		return nil
	}))
}

func cmdMinLinks(sh *shell, a []string) (string, error) {
	n := atoi(a[0])
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		if !in.IsLAG() {
			return invalidAt(0, "port-channel")
		}
		in.MinLinks = n
		return nil
	}))
}

func cmdMLAG(sh *shell, a []string) (string, error) {
	n := atoi(a[0])
	if sh.dev.Platform() == device.PlatformNXOS && !sh.currentFeature("vpc") {
		return "", cliError(nxInvalidMarker(sh, 0))
	}
	return "", sh.wrapErr(sh.forEachIf(func(_ *device.Config, in *device.Interface) error {
		if !in.IsLAG() {
			return invalidAt(0, "mlag")
		}
		in.MLAGID = n
		return nil
	}))
}

// grammarFor returns the command table of a dialect.
func grammarFor(platform string) grammar {
	eos := platform == device.PlatformEOS
	common := []*cmd{
		{pattern: "enable", modes: mAnyExec, run: cmdEnable},
		{pattern: "disable", modes: mPriv, run: cmdDisable},
		{pattern: "exit", modes: mAnyExec | mConf | mSub, run: cmdExit},
		{pattern: "logout", modes: mAnyExec, run: func(sh *shell, _ []string) (string, error) { sh.quit = true; return "", nil }},
		{pattern: "quit", modes: mAnyExec, run: func(sh *shell, _ []string) (string, error) { sh.quit = true; return "", nil }},
		{pattern: "end", modes: mConf | mSub, run: cmdEnd},
		{pattern: "terminal length <n>", modes: mAnyExec, run: cmdTerminalLength},
		{pattern: "terminal width <n>", modes: mAnyExec, run: cmdTerminalWidth},
		{pattern: "configure terminal", modes: mPriv, run: cmdConfigure},
		{pattern: "copy running-config startup-config", modes: mPriv, run: cmdCopyRunStart},

		{pattern: "hostname <w>", modes: mConf, run: cmdHostname},
		{pattern: "vlan <w>", modes: mConf, run: cmdVLAN},
		{pattern: "no vlan <w>", modes: mConf, run: cmdNoVLAN},
		{pattern: "interface <text>", modes: mConf, run: cmdInterface},
		{pattern: "no interface <text>", modes: mConf, run: cmdNoInterface},
		{pattern: "default interface <text>", modes: mConf, run: cmdNoInterface},

		{pattern: "name <text>", modes: mVlan, run: cmdVLANName},
		{pattern: "no name", modes: mVlan, run: cmdNoVLANName},

		{pattern: "description <text>", modes: mIf, run: cmdDescription},
		{pattern: "no description", modes: mIf, run: ifSet(func(in *device.Interface) { in.Description = "" })},
		{pattern: "shutdown", modes: mIf, run: ifSet(func(in *device.Interface) { in.Shutdown = true })},
		{pattern: "no shutdown", modes: mIf, run: ifSet(func(in *device.Interface) { in.Shutdown = false })},
		{pattern: "mtu <n>", modes: mIf, run: cmdMTU},
		{pattern: "no mtu", modes: mIf, run: ifSet(func(in *device.Interface) { in.MTU = 0 })},
		{pattern: "switchport", modes: mIf, run: ifSet(func(in *device.Interface) { in.Routed = false })},
		{pattern: "no switchport", modes: mIf, run: ifSet(func(in *device.Interface) { in.Routed = true })},
		{pattern: "switchport mode <w>", modes: mIf, run: cmdSwitchportMode},
		{pattern: "no switchport mode", modes: mIf, run: ifSet(func(in *device.Interface) { in.Mode = intent.ModeAccess })},
		{pattern: "switchport access vlan <n>", modes: mIf, run: cmdAccessVLAN},
		{pattern: "no switchport access vlan", modes: mIf, run: ifSet(func(in *device.Interface) { in.AccessVLAN = 1 })},
		{pattern: "switchport trunk native vlan <n>", modes: mIf, run: cmdNativeVLAN},
		{pattern: "no switchport trunk native vlan", modes: mIf, run: ifSet(func(in *device.Interface) { in.NativeVLAN = 1 })},
		{pattern: "switchport trunk allowed vlan add <w>", modes: mIf, run: cmdAllowed("add")},
		{pattern: "switchport trunk allowed vlan remove <w>", modes: mIf, run: cmdAllowed("remove")},
		{pattern: "switchport trunk allowed vlan except <w>", modes: mIf, run: cmdAllowed("except")},
		{pattern: "switchport trunk allowed vlan <w>", modes: mIf, run: cmdAllowed("")},
		{pattern: "no switchport trunk allowed vlan", modes: mIf, run: ifSet(func(in *device.Interface) { in.Allowed = device.AllVLANs() })},
		{pattern: "channel-group <n> mode <w>", modes: mIf, run: cmdChannelGroup},
		{pattern: "no channel-group", modes: mIf, run: cmdNoChannelGroup},
		{pattern: "no channel-group <n>", modes: mIf, run: cmdNoChannelGroup},
		{pattern: "lacp rate <w>", modes: mIf, run: cmdLACPRate},
		{pattern: "no lacp rate", modes: mIf, run: ifSet(func(in *device.Interface) { in.LACPRate = "" })},
	}
	var specific []*cmd
	if eos {
		specific = []*cmd{
			{pattern: "configure", modes: mPriv, run: cmdConfigure},
			{pattern: "configure session", modes: mPriv, run: cmdConfigureSession},
			{pattern: "configure session <w>", modes: mPriv, run: cmdConfigureSession},
			{pattern: "configure session <w> commit", modes: mPriv, run: cmdSessionCommitNamed},
			{pattern: "configure session <w> commit timer <w>", modes: mPriv, run: cmdSessionCommitTimerNamed},
			{pattern: "configure session <w> abort", modes: mPriv, run: cmdSessionAbortNamed},
			{pattern: "no configure session <w>", modes: mPriv, run: cmdSessionAbortNamed},
			{pattern: "commit", modes: mConf | mSub, run: cmdCommit},
			{pattern: "commit timer <w>", modes: mConf | mSub, run: cmdCommitTimer},
			{pattern: "abort", modes: mConf | mSub, run: cmdAbort},
			{pattern: "write memory", modes: mPriv, run: cmdCopyRunStart},
			{pattern: "write", modes: mPriv, run: cmdCopyRunStart},
			{pattern: "bash <text>", modes: mPriv, run: cmdBash},
			{pattern: "lacp timer <w>", modes: mIf, run: cmdLACPRate},
			{pattern: "no lacp timer", modes: mIf, run: ifSet(func(in *device.Interface) { in.LACPRate = "" })},
			{pattern: "port-channel min-links <n>", modes: mIf, run: cmdMinLinks},
			{pattern: "no port-channel min-links", modes: mIf, run: ifSet(func(in *device.Interface) { in.MinLinks = 0 })},
			{pattern: "mlag <n>", modes: mIf, run: cmdMLAG},
			{pattern: "no mlag", modes: mIf, run: ifSet(func(in *device.Interface) { in.MLAGID = 0 })},
			{pattern: "mlag configuration", modes: mConf, run: func(sh *shell, _ []string) (string, error) {
				return "", sh.wrapErr(sh.apply(func(c *device.Config) error { c.MLAG = true; return nil }))
			}},
			{pattern: "no mlag configuration", modes: mConf, run: func(sh *shell, _ []string) (string, error) {
				return "", sh.wrapErr(sh.apply(func(c *device.Config) error { c.MLAG = false; return nil }))
			}},
		}
	} else {
		specific = []*cmd{
			{pattern: "feature <w>", modes: mConf, run: cmdFeature(true)},
			{pattern: "no feature <w>", modes: mConf, run: cmdFeature(false)},
			{pattern: "vpc domain <n>", modes: mConf, run: cmdVPCDomain},
			{pattern: "no vpc domain <n>", modes: mConf, run: func(sh *shell, _ []string) (string, error) {
				return "", sh.wrapErr(sh.apply(func(c *device.Config) error { c.MLAG = false; return nil }))
			}},
			{pattern: "lacp min-links <n>", modes: mIf, run: cmdMinLinks},
			{pattern: "no lacp min-links", modes: mIf, run: ifSet(func(in *device.Interface) { in.MinLinks = 0 })},
			{pattern: "vpc <n>", modes: mIf, run: cmdMLAG},
			{pattern: "no vpc", modes: mIf, run: ifSet(func(in *device.Interface) { in.MLAGID = 0 })},
			{pattern: "checkpoint <w>", modes: mPriv, run: cmdCheckpoint},
			{pattern: "no checkpoint <w>", modes: mPriv, run: cmdNoCheckpoint},
			{pattern: "rollback running-config checkpoint <w>", modes: mPriv, run: cmdRollback},
			{pattern: "show checkpoint summary", modes: mPriv, run: cmdShowCheckpoints},
			{pattern: "show diff rollback-patch checkpoint <w> running-config", modes: mPriv, run: cmdShowRollbackPatch},
		}
		specific = append(specific, nxSessionCommands()...)
	}
	specific = append(specific, vlanStateCommands(eos)...)
	cmds := append(specific, common...)
	cmds = append(cmds, showCommands(eos)...)
	return newGrammar(append(cmds, mlagShowCommands(eos)...)...)
}

func cmdBash(sh *shell, a []string) (string, error) {
	if strings.Contains(a[0], "boot-config") {
		return "SWI=flash:/vEOS-lab.swi", nil
	}
	return "", cliError("% Error: command not permitted in the simulator")
}
