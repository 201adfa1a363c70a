package validate

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/netalign/netalign/internal/termsafe"
)

// ReportVersion is the version of the JSON report schema (docs/validate.md).
// Version 2 added the run's metadata, the failure causes as codes, the
// devices that could not be handled, run errors and insecure devices.
const ReportVersion = 2

// Report is the JSON form of a validation run. A report is produced on
// every exit: when the run could not start (an invalid inventory), Errors
// says why and there are no devices.
type Report struct {
	Version int `json:"version"`
	// Netalign is the version of netalign that made the report, Time when
	// (RFC 3339) and Inventory from which file. The caller sets them:
	// building a report is pure.
	Netalign  string `json:"netalign"`
	Time      string `json:"time"`
	Inventory string `json:"inventory"`
	Clean     bool   `json:"clean"`
	Summary   Counts `json:"summary"`
	// Devices are the devices asked for, sorted.
	Devices []string `json:"devices"`
	// Unreachable are the devices that could not be observed, with their
	// cause; each also has a finding coded with the cause.
	Unreachable []Unreachable `json:"unreachable"`
	// Skipped are the devices that were not checked, with why (a host
	// netalign has no access to), and the checks that did not run (the
	// live DHCP probe without --probe-dhcp).
	Skipped []Skip `json:"skipped"`
	// Insecure lists the devices whose host key or certificate was not
	// verified (insecure: true or --insecure).
	Insecure []string `json:"insecure"`
	// Errors are problems that kept the run from checking anything (an
	// invalid inventory: one per field).
	Errors   []RunError `json:"errors"`
	Findings []Finding  `json:"findings"`
}

// Skip is a device that was not checked, or (Device empty) a check that
// did not run, with the reason.
type Skip struct {
	Device string `json:"device,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Code   Code   `json:"code,omitempty"`
	Reason string `json:"reason"`
}

// RunError is a problem of the run itself, not of a device: an inventory
// field, a flag, a snapshot file.
type RunError struct {
	// Code is INVENTORY_INVALID for an inventory problem, PROBE_FAILED
	// when the DHCP probe could not run here, RUN_ERROR otherwise.
	Code    string `json:"code"`
	File    string `json:"file,omitempty"`
	Path    string `json:"path,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// Run error codes.
const (
	RunInventoryInvalid = "INVENTORY_INVALID"
	RunFailed           = "RUN_ERROR"
	// RunProbeFailed: the live DHCP probe could not run on this machine
	// (no socket on the relay address, no such interface).
	RunProbeFailed = "PROBE_FAILED"
)

// Counts counts findings by severity, and devices by what became of them.
type Counts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
	// Checked devices were observed and checked; Unreachable ones could
	// not be observed; Skipped ones were not asked (no access).
	Checked     int `json:"checked"`
	Unreachable int `json:"unreachable"`
	Skipped     int `json:"skipped"`
}

// NewReport builds the report of findings over the devices asked for, of
// which unreachable could not be observed; skipped are the devices and
// checks that were not asked.
func NewReport(devices []string, unreachable []Unreachable, skipped []Skip, findings []Finding) Report {
	r := Report{Version: ReportVersion, Devices: append([]string{}, devices...), Findings: findings,
		Unreachable: append([]Unreachable{}, unreachable...), Skipped: append([]Skip{}, skipped...),
		Insecure: []string{}, Errors: []RunError{}}
	for _, sk := range skipped {
		if sk.Device != "" && !slices.Contains(r.Devices, sk.Device) {
			r.Devices = append(r.Devices, sk.Device)
		}
		if sk.Device != "" {
			r.Summary.Skipped++
		}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	sort.Strings(r.Devices)
	sort.Slice(r.Unreachable, func(i, j int) bool { return r.Unreachable[i].Device < r.Unreachable[j].Device })
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
	r.Summary.Unreachable = len(r.Unreachable)
	r.Summary.Checked = len(r.Devices) - r.Summary.Unreachable - r.Summary.Skipped
	r.Clean = r.Summary.Errors == 0 && r.Summary.Warnings == 0
	return r
}

// FailedReport is the report of a run that could not check anything.
func FailedReport(errs []RunError) Report {
	r := NewReport(nil, nil, nil, nil)
	r.Errors = append(r.Errors, errs...)
	r.Clean = false
	return r
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the findings grouped by device, colored when color is
// set. Objects, found values and messages may come from devices, so every
// value is shown through termsafe.Line: one line, no terminal escapes.
func (r Report) WriteTable(w io.Writer, color bool) error {
	e := termsafe.Line
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
		fmt.Fprintf(&b, "%s\n", c("\x1b[1m", e(d)))
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
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", sev, f.Code, e(f.Object), e(f.Expected), e(f.Found), e(f.Message))
		}
		tw.Flush()
		b.WriteByte('\n')
	}
	for _, re := range r.Errors {
		fmt.Fprintf(&b, "%s %s\n", c("\x1b[31m", "error:"), e(re.line()))
	}
	if len(r.Insecure) > 0 {
		fmt.Fprintf(&b, "%s host key / certificate verification was disabled for: %s\n", c("\x1b[33m", "WARNING:"), e(strings.Join(r.Insecure, ", ")))
	}
	for _, sk := range r.Skipped {
		what := sk.Device
		if what == "" {
			what = string(sk.Code)
		}
		fmt.Fprintf(&b, "skipped: %s: %s\n", e(what), e(sk.Reason))
	}
	unreachable := ""
	if n := r.Summary.Unreachable; n > 0 {
		unreachable = fmt.Sprintf(", %d could not be observed", n)
	}
	if n := r.Summary.Skipped; n > 0 {
		unreachable += fmt.Sprintf(", %d skipped", n)
	}
	switch {
	case len(r.Errors) > 0:
		fmt.Fprintf(&b, "%s: nothing was checked.\n", c("\x1b[31m", "FAILED"))
	case r.Clean:
		fmt.Fprintf(&b, "%s: %d device(s) checked%s, no mismatches.\n", c("\x1b[32m", "OK"), r.Summary.Checked, unreachable)
	default:
		fmt.Fprintf(&b, "%s: %d error(s), %d warning(s); %d device(s) checked%s.\n", c("\x1b[31m", "MISMATCH"), r.Summary.Errors, r.Summary.Warnings, r.Summary.Checked, unreachable)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// line is the run error as one line: file: path: message (value "x").
func (e RunError) line() string {
	var parts []string
	for _, p := range []string{e.File, e.Path} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	msg := e.Message
	if e.Value != "" {
		msg += fmt.Sprintf(" (value %q)", e.Value)
	}
	return strings.Join(append(parts, msg), ": ")
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// properties are the run's facts a CI system shows with a suite: which
// netalign and inventory, and whether the device was not verified.
func (r Report) properties(device string) *junitProperties {
	var ps []junitProperty
	for _, kv := range [][2]string{{"netalign", r.Netalign}, {"inventory", r.Inventory}, {"time", r.Time}} {
		if kv[1] != "" {
			ps = append(ps, junitProperty{kv[0], kv[1]})
		}
	}
	if slices.Contains(r.Insecure, device) {
		ps = append(ps, junitProperty{"insecure", "host key / certificate not verified (insecure: true or --insecure)"})
	}
	if len(ps) == 0 {
		return nil
	}
	return &junitProperties{Property: ps}
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
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
	if len(r.Errors) > 0 {
		// The run could not check anything: one failing case says why, so
		// a CI system shows a red test instead of an empty report.
		var lines []string
		for _, e := range r.Errors {
			lines = append(lines, e.line())
		}
		s := junitSuite{Name: "netalign", Tests: 1, Failures: 1, Cases: []junitCase{{
			Name: "run", Classname: "netalign.run",
			Failure: &junitFailure{Message: fmt.Sprintf("%d problem(s) kept validate from running", len(r.Errors)), Type: r.Errors[0].Code, Text: strings.Join(lines, "\n")},
		}}}
		out.Suites, out.Tests, out.Failures = append(out.Suites, s), 1, 1
	}
	// Rules that did not run are skipped, never passed: every rule of a
	// device that was not observed, and the checks the run did not do.
	notRun := map[string]string{} // device -> reason
	for _, u := range r.Unreachable {
		notRun[u.Device] = "not observed: " + string(u.Cause)
	}
	codeNotRun := map[Code]string{}
	for _, sk := range r.Skipped {
		if sk.Device != "" {
			notRun[sk.Device] = sk.Reason
		} else {
			codeNotRun[sk.Code] = sk.Reason
		}
	}
	for _, d := range devices {
		s := junitSuite{Name: d, Properties: r.properties(d)}
		layer := layers[d]
		for _, ci := range AllCodes() {
			if layer != "" && !ci.InLayer(layer) {
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
			} else if reason, ok := notRun[d]; ok && ci.Layer != "any" {
				tc.Skipped = &junitSkipped{Message: reason}
				s.Skipped++
			} else if reason, ok := codeNotRun[ci.Code]; ok {
				tc.Skipped = &junitSkipped{Message: reason}
				s.Skipped++
			}
			s.Cases = append(s.Cases, tc)
			s.Tests++
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
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
