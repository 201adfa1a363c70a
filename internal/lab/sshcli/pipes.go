package sshcli

import (
	"regexp"
	"strings"
)

// pipeSplit splits a command at pipes preceded by whitespace, so that
// `show running-config | section ^vlan|^interface` keeps its regex whole.
var pipeSplit = regexp.MustCompile(`\s\|`)

// outputFormat is what `| json` asked for.
type outputFormat struct {
	json   bool
	pretty bool
}

// extractFormat removes json/no-more stages and reports the format.
func extractFormat(pipes []string) (outputFormat, []string) {
	var f outputFormat
	var rest []string
	for _, p := range pipes {
		switch strings.ToLower(strings.Join(strings.Fields(p), " ")) {
		case "json", "json native":
			f.json = true
		case "json-pretty", "json-pretty native":
			f.json, f.pretty = true, true
		case "no-more", "nomore":
		default:
			rest = append(rest, p)
		}
	}
	return f, rest
}

// applyPipes runs text filters: section, include, exclude, begin.
func applyPipes(out string, pipes []string) (string, error) {
	for _, p := range pipes {
		verb, arg, _ := strings.Cut(strings.TrimSpace(p), " ")
		arg = strings.TrimSpace(arg)
		re, err := regexp.Compile(arg)
		if err != nil {
			return "", cliError("% Invalid regular expression")
		}
		switch v := strings.ToLower(verb); {
		case v != "" && strings.HasPrefix("section", v):
			out = section(out, re)
		case v != "" && strings.HasPrefix("include", v):
			out = filterLines(out, re, true)
		case v != "" && strings.HasPrefix("exclude", v):
			out = filterLines(out, re, false)
		case v != "" && strings.HasPrefix("begin", v):
			lines := strings.SplitAfter(out, "\n")
			for i, l := range lines {
				if re.MatchString(strings.TrimRight(l, "\n")) {
					out = strings.Join(lines[i:], "")
					break
				}
				if i == len(lines)-1 {
					out = ""
				}
			}
		default:
			return "", cliError("% Invalid input")
		}
	}
	return out, nil
}

func filterLines(out string, re *regexp.Regexp, keep bool) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if re.MatchString(l) == keep {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// section prints every configuration block whose header matches, with all
// its children, and for blocks where only children match, the header and
// the matching children (EOS `| section`).
func section(out string, re *regexp.Regexp) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var b strings.Builder
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && strings.HasPrefix(lines[j], " ") {
			j++
		}
		head, children := lines[i], lines[i+1:j]
		if re.MatchString(head) {
			b.WriteString(head + "\n")
			for _, c := range children {
				b.WriteString(c + "\n")
			}
		} else {
			var matched []string
			for _, c := range children {
				if re.MatchString(c) || re.MatchString(strings.TrimSpace(c)) {
					matched = append(matched, c)
				}
			}
			if len(matched) > 0 {
				b.WriteString(head + "\n")
				for _, c := range matched {
					b.WriteString(c + "\n")
				}
			}
		}
		i = j
	}
	return b.String()
}
