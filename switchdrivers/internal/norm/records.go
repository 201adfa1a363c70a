package norm

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// Undecoded is embedded in the record types of a Map (or of NX-OS's Rows):
// a record whose JSON does not fit its type is kept with Err set and its
// other fields zero, so that one odd record does not make the whole output
// unreadable. The parser reports it (Skips) and leaves it out.
type Undecoded struct {
	Err error `json:"-"`
}

func (u *Undecoded) setUndecoded(err error) { u.Err = err }

type undecodedSetter interface{ setUndecoded(error) }

// DecodeRecord decodes one record into a new T. When b does not fit T and T
// embeds Undecoded, the record is returned zero with Err set and no error;
// other types fail as json.Unmarshal does.
func DecodeRecord[T any](b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	if err == nil {
		return v, nil
	}
	var z T
	if u, ok := any(&z).(undecodedSetter); ok {
		u.setUndecoded(describe(err))
		return z, nil
	}
	return v, err
}

// describe words a decoding error for a report: what was found where, in
// JSON's terms rather than Go's.
func describe(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "another type"
		switch te.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.Bool:
			want = "true or false"
		case reflect.Struct, reflect.Map:
			want = "an object"
		case reflect.Slice, reflect.Array:
			want = "a list"
		}
		if te.Field != "" {
			return fmt.Errorf("%s: %s where %s was expected", strings.TrimPrefix(te.Field, "."), te.Value, want)
		}
		return fmt.Errorf("%s where %s was expected", te.Value, want)
	}
	return err
}

// DecodeList decodes a JSON array (or null) record by record (see
// DecodeRecord).
func DecodeList[T any](b []byte) ([]T, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raw))
	for i, x := range raw {
		v, err := DecodeRecord[T](x)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Map is a JSON object keyed by data (VLAN ids, interface names) whose
// values are decoded record by record (see Undecoded).
type Map[T any] map[string]T

// UnmarshalJSON decodes an object (or null) record by record.
func (m *Map[T]) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Map[T], len(raw))
	for k, x := range raw {
		v, err := DecodeRecord[T](x)
		if err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		out[k] = v
	}
	*m = out
	return nil
}

// Skips collects the records a parser could not understand and left out,
// for intent.SwitchState.Partial.
type Skips struct{ list []intent.Unparsed }

// VLAN records an unreadable record about VLAN id (as the output spells it).
func (s *Skips) VLAN(cmd, id, format string, args ...any) {
	s.add(cmd, intent.ObjVLAN, id, format, args...)
}

// Interface records an unreadable record about interface name; the name is
// made canonical.
func (s *Skips) Interface(cmd, name, format string, args ...any) {
	s.add(cmd, intent.ObjInterface, intent.NormalizeInterface(name), format, args...)
}

// Record records an unreadable record that cannot tell what it is about,
// named by its place in the output ("row 3").
func (s *Skips) Record(cmd, where, format string, args ...any) {
	s.add(cmd, "", where, format, args...)
}

func (s *Skips) add(cmd string, kind intent.ObjectKind, record, format string, args ...any) {
	reason := fmt.Sprintf(format, args...)
	s.list = append(s.list, intent.Unparsed{Command: cmd, Kind: kind, Record: Printable(record), Reason: Printable(reason)})
}

// List returns the records in a stable order (by command, then record).
func (s *Skips) List() []intent.Unparsed {
	out := slices.Clone(s.list)
	slices.SortStableFunc(out, func(a, b intent.Unparsed) int {
		if c := strings.Compare(a.Command, b.Command); c != 0 {
			return c
		}
		return CompareInterfaces(a.Object(), b.Object())
	})
	return out
}

// Printable bounds text taken from a device for a report: at most 120
// bytes, cut at a rune boundary with "..." (terminal escaping is the
// reports' job, see termsafe).
func Printable(s string) string {
	const limit = 120
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Collect runs a parser that records what it leaves out in a Skips, and
// returns its result with the records left out.
func Collect[T any](parse func(*Skips) T) (T, []intent.Unparsed) {
	var s Skips
	v := parse(&s)
	return v, s.List()
}
