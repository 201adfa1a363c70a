package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/termsafe"
)

// TextOptions tune RenderText.
type TextOptions struct {
	// Color adds ANSI colors (when writing to a terminal).
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
)

// RenderText writes the plan as a terraform-style diff. Names, values,
// reasons and warnings may come from devices (descriptions, LAG names,
// error text), so each is shown through termsafe.Line before colors are
// added.
func RenderText(w io.Writer, p *Plan, o TextOptions) error {
	e := termsafe.Line
	c := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	actionColor := map[intent.Action]string{intent.Create: ansiGreen, intent.Update: ansiYellow, intent.Delete: ansiRed}
	var b strings.Builder
	for _, d := range p.Devices {
		head := fmt.Sprintf("%s %s", d.Kind, e(d.Name))
		if d.Platform != "" {
			head += " (" + e(d.Platform) + ")"
		}
		switch {
		case d.Skipped != "":
			fmt.Fprintf(&b, "%s: %s\n", c(ansiBold, head), c(ansiDim, "skipped, "+e(d.Skipped)))
		case d.Changes() == 0:
			fmt.Fprintf(&b, "%s: %s\n", c(ansiBold, head), c(ansiDim, "no changes"))
		default:
			fmt.Fprintf(&b, "%s:\n", c(ansiBold, head))
		}
		line := func(a intent.Action, what string, fields []intent.Field, disruptive bool, reason string) {
			what, reason = e(what), e(reason)
			tag := ""
			if disruptive {
				tag = c(ansiRed, "  # disruptive")
				if reason != "" {
					tag = c(ansiRed, "  # disruptive: "+reason)
				}
			} else if reason != "" {
				tag = c(ansiDim, "  # "+reason)
			}
			fmt.Fprintf(&b, "  %s %s%s\n", c(actionColor[a], a.Symbol()), what, tag)
			width := 0
			for _, f := range fields {
				width = max(width, len(f.Name))
			}
			for _, f := range fields {
				if f.Before == "" && f.After == "" {
					continue
				}
				f.Name, f.Before, f.After = e(f.Name), e(f.Before), e(f.After)
				switch {
				case a == intent.Create || f.Before == "":
					fmt.Fprintf(&b, "      %-*s = %s\n", width, f.Name, f.After)
				case a == intent.Delete || f.After == "":
					fmt.Fprintf(&b, "      %-*s = %s\n", width, f.Name, c(ansiRed, f.Before))
				default:
					fmt.Fprintf(&b, "      %-*s : %s -> %s\n", width, f.Name, f.Before, c(ansiYellow, f.After))
				}
			}
		}
		for _, ch := range d.Switch {
			line(ch.Action, string(ch.Object)+" "+ch.Name, ch.Fields, ch.Disruptive, ch.Reason)
		}
		for _, ch := range d.Host {
			line(ch.Action, string(ch.Object)+" "+ch.Name, ch.Fields, ch.Disruptive, ch.Reason)
		}
		for _, ch := range d.DHCP {
			what := fmt.Sprintf("pool vlan %d", ch.Pool.VLAN)
			if ch.Pool.Network != "" {
				what += " (" + ch.Pool.Network + ")"
			}
			line(ch.Action, what, ch.Fields, false, "")
		}
		for _, wmsg := range d.Warnings {
			fmt.Fprintf(&b, "  %s %s\n", c(ansiYellow, "!"), e(wmsg))
		}
	}
	s := p.Summary()
	unobserved := 0
	for _, d := range p.Devices {
		if d.Cause != "" {
			unobserved++
		}
	}
	switch {
	case s.Devices == 0 && unobserved > 0:
		fmt.Fprintf(&b, "\nNo changes on the devices observed; %s could not be observed (above): their changes are unknown.\n", c(ansiRed, fmt.Sprintf("%d device(s)", unobserved)))
	case s.Devices == 0:
		fmt.Fprintf(&b, "\nNo changes. The network matches the inventory.\n")
	default:
		fmt.Fprintf(&b, "\nPlan: %d to create, %d to change, %d to delete on %d device(s)", s.Create, s.Update, s.Delete, s.Devices)
		if s.Disruptive > 0 {
			fmt.Fprintf(&b, "; %s", c(ansiRed, fmt.Sprintf("%d disruptive", s.Disruptive)))
		}
		if unobserved > 0 {
			fmt.Fprintf(&b, "; %s could not be observed", c(ansiRed, fmt.Sprintf("%d device(s)", unobserved)))
		}
		b.WriteString(".\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderJSON writes the plan as indented JSON (schema: docs/plan.md).
func RenderJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
