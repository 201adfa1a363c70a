package lab

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints what runs where, one switch a line:
//
//	SWITCH  PLATFORM  PROTOCOL  ADDRESS          PORTS  CABLED
//	leaf1   eos       ssh       127.0.0.1:40123  32     1
func WriteTable(w io.Writer, infos []SwitchInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SWITCH\tPLATFORM\tPROTOCOL\tADDRESS\tPORTS\tCABLED")
	for _, s := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n", s.Name, s.Platform, s.Protocol, s.Addr, s.Ports, s.Cabled)
	}
	return tw.Flush()
}
