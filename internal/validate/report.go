package validate

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// ReportVersion is the version of the JSON report schema (docs/validate.md).
const ReportVersion = 1

// Report is the JSON form of a validation run.
type Report struct {
	Version  int       `json:"version"`
	Clean    bool      `json:"clean"`
	Summary  Counts    `json:"summary"`
	Devices  []string  `json:"devices"`
	Findings []Finding `json:"findings"`
}

// Counts counts findings by severity.
type Counts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
}

// NewReport builds the report of findings over the checked devices.
func NewReport(devices []string, findings []Finding) Report {
	r := Report{Version: ReportVersion, Devices: append([]string{}, devices...), Findings: findings}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	sort.Strings(r.Devices)
	for _, f := range findings {
		switch f.Severity {
		case SeverityError:
			r.Summary.Errors++
		case SeverityWarning:
			r.Summary.Warnings++
		default:
			r.Summary.Info++
		}
	}
	r.Clean = r.Summary.Errors == 0 && r.Summary.Warnings == 0
	return r
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the findings grouped by device, colored when color is set.
func (r Report) WriteTable(w io.Writer, color bool) error {
	c := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	var b strings.Builder
	byDev := map[string][]Finding{}
	var order []string
	for _, f := range r.Findings {
		if _, ok := byDev[f.Device]; !ok {
			order = append(order, f.Device)
		}
		byDev[f.Device] = append(byDev[f.Device], f)
	}
	for _, d := range order {
		fmt.Fprintf(&b, "%s\n", c("\x1b[1m", d))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  SEVERITY\tCODE\tOBJECT\tEXPECTED\tFOUND\tDETAIL\n")
		for _, f := range byDev[d] {
			sev := string(f.Severity)
			switch f.Severity {
			case SeverityError:
				sev = c("\x1b[31m", sev)
			case SeverityWarning:
				sev = c("\x1b[33m", sev)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", sev, f.Code, f.Object, f.Expected, f.Found, f.Message)
		}
		tw.Flush()
		b.WriteByte('\n')
	}
	if r.Clean {
		fmt.Fprintf(&b, "%s: %d device(s) checked, no mismatches.\n", c("\x1b[32m", "OK"), len(r.Devices))
	} else {
		fmt.Fprintf(&b, "%s: %d error(s), %d warning(s) on %d device(s) checked.\n", c("\x1b[31m", "MISMATCH"), r.Summary.Errors, r.Summary.Warnings, len(r.Devices))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one test suite per device and one test case per
// device/rule, so CI systems list every rule that passed or failed.
func (r Report) WriteJUnit(w io.Writer, layers map[string]string) error {
	byDevCode := map[string]map[Code][]Finding{}
	for _, f := range r.Findings {
		if byDevCode[f.Device] == nil {
			byDevCode[f.Device] = map[Code][]Finding{}
		}
		byDevCode[f.Device][f.Code] = append(byDevCode[f.Device][f.Code], f)
	}
	devices := append([]string{}, r.Devices...)
	for d := range byDevCode {
		found := false
		for _, x := range devices {
			if x == d {
				found = true
			}
		}
		if !found {
			devices = append(devices, d)
		}
	}
	sort.Strings(devices)
	out := junitSuites{Name: "netalign validate"}
	for _, d := range devices {
		s := junitSuite{Name: d}
		layer := layers[d]
		for _, ci := range Codes() {
			if ci.Layer != "any" && layer != "" && ci.Layer != layer {
				continue
			}
			if ci.Layer == "any" && len(byDevCode[d][ci.Code]) == 0 {
				continue
			}
			tc := junitCase{Name: string(ci.Code), Classname: "netalign." + d}
			if fs := byDevCode[d][ci.Code]; len(fs) > 0 && ci.Severity != SeverityInfo {
				var lines []string
				for _, f := range fs {
					lines = append(lines, fmt.Sprintf("%s: expected %s, found %s: %s", f.Object, f.Expected, f.Found, f.Message))
				}
				tc.Failure = &junitFailure{Message: fmt.Sprintf("%d finding(s)", len(fs)), Type: string(ci.Code), Text: strings.Join(lines, "\n")}
				s.Failures++
			}
			s.Cases = append(s.Cases, tc)
			s.Tests++
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
