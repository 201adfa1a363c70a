package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// EnvPrefix prefixes the environment variables that override settings.
const EnvPrefix = "NETALIGN"

// envSetting is one scalar setting that the environment may override.
type envSetting struct {
	key  string // viper key (lower case)
	path string // field path as operators write it
	def  any
}

// envSettings are the only keys read from the environment: the scalar run
// settings. Lists (switches, hosts ...) are never taken from the
// environment, which is why there is no AutomaticEnv: with it, a stray
// NETALIGN_VERSION or NETALIGN_SWITCHES variable would silently replace
// part of the inventory.
var envSettings = []envSetting{
	{"settings.parallelism", "settings.parallelism", DefaultParallelism},
	{"settings.timeout", "settings.timeout", DefaultTimeout},
	{"settings.rollbacktimeout", "settings.rollbackTimeout", DefaultRollbackTimeout},
	{"settings.saveconfig", "settings.saveConfig", DefaultSaveConfig},
}

// EnvVar returns the environment variable that overrides the setting at
// path (for example settings.parallelism -> NETALIGN_SETTINGS_PARALLELISM).
func EnvVar(path string) string {
	return strings.ToUpper(EnvPrefix + "_" + strings.ReplaceAll(path, ".", "_"))
}

// formats maps file extensions to viper's config types.
var formats = map[string]string{"yaml": "yaml", "yml": "yaml", "json": "json", "toml": "toml"}

// Load reads an inventory file (YAML, JSON or TOML, chosen by the
// extension), applies NETALIGN_SETTINGS_* environment overrides and
// defaults, and validates it. Problems of the content, including unknown
// keys and values of the wrong type, come back together as
// ValidationErrors; the inventory is returned only when there are none.
func Load(path string, opts Options) (*Inventory, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if _, ok := formats[ext]; !ok {
		return nil, fmt.Errorf("inventory %s: unsupported file extension %q (want .yaml, .yml, .json or .toml)", path, filepath.Ext(path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	return LoadBytes(path, data, ext, opts)
}

// LoadBytes is Load for an inventory held in memory; name is used in
// messages and as Inventory.Source, format is yaml, yml, json or toml.
func LoadBytes(name string, data []byte, format string, opts Options) (*Inventory, error) {
	inv, decodeErrs, err := decode(name, data, format)
	if err != nil {
		return nil, err
	}
	var all []FieldError
	all = append(all, decodeErrs...)
	if verr := Validate(inv, opts); verr != nil {
		var ve ValidationErrors
		if !errors.As(verr, &ve) {
			return nil, verr
		}
		for _, e := range ve {
			if !coveredBy(e.Path, decodeErrs) {
				all = append(all, e)
			}
		}
	}
	if len(all) > 0 {
		return nil, sortErrors(all)
	}
	return inv, nil
}

// coveredBy reports whether a decode error already stands at path or at one
// of its parents: the validator then sees a zero value there and would only
// add noise.
func coveredBy(path string, decodeErrs []FieldError) bool {
	for _, d := range decodeErrs {
		if path == d.Path || strings.HasPrefix(path, d.Path+".") || strings.HasPrefix(path, d.Path+"[") {
			return true
		}
	}
	return false
}

// decode reads the document into an Inventory with defaults applied. Field
// level problems (unknown keys, wrong types) are returned as FieldErrors
// next to the partly decoded inventory; err is set only when the document
// cannot be read at all.
func decode(name string, data []byte, format string) (*Inventory, []FieldError, error) {
	typ, ok := formats[strings.ToLower(format)]
	if !ok {
		return nil, nil, fmt.Errorf("inventory %s: unsupported format %q (want yaml, json or toml)", name, format)
	}
	v := viper.New()
	v.SetConfigType(typ)
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	for _, s := range envSettings {
		// One argument: the variable is NETALIGN_ + the key, with the
		// replacer turning dots into underscores.
		if err := v.BindEnv(s.key); err != nil {
			return nil, nil, fmt.Errorf("inventory %s: bind %s: %w", name, s.key, err)
		}
		v.SetDefault(s.key, s.def)
	}
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, nil, fmt.Errorf("inventory %s: parse %s: %w", name, typ, err)
	}

	inv := &Inventory{}
	fieldErrs := emptyUnknownKeys(name, data, v)
	err := v.UnmarshalExact(inv, viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(shapeHook, durationHook)))
	if err != nil {
		fieldErrs = append(fieldErrs, decodeErrors(name, data, err)...)
	}
	inv.Source = name
	inv.ApplyDefaults()
	return inv, fieldErrs, nil
}

var durationType = reflect.TypeFor[time.Duration]()

// shapeHook refuses the shape conversions of weakly typed decoding that
// would hide a mistake: a mapping where a list belongs (it would become a
// one-element list) and a list where a mapping belongs (its elements would
// be merged). Weak typing stays on for scalars, because environment
// variables are text and "mode: 4" is a number in YAML.
func shapeHook(from, to reflect.Type, data any) (any, error) {
	switch {
	case to.Kind() == reflect.Slice && from.Kind() == reflect.Map:
		return nil, errors.New("want a list")
	case to.Kind() == reflect.Struct && to != durationType && (from.Kind() == reflect.Slice || from.Kind() == reflect.Array):
		return nil, errors.New("want a mapping of fields")
	}
	return data, nil
}

// durationHook reads durations written with a unit ("90s", "1m30s"). A bare
// number is refused rather than read as nanoseconds; 0 is accepted.
func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != durationType || from == durationType {
		return data, nil
	}
	switch from.Kind() {
	case reflect.String:
		s := strings.TrimSpace(data.(string))
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("invalid duration %q: want a number with a unit, for example 60s or 2m", s)
		}
		return d, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if reflect.ValueOf(data).IsZero() {
			return time.Duration(0), nil
		}
		return nil, fmt.Errorf("a duration needs a unit: write for example \"%vs\"", data)
	}
	return data, nil
}

// emptyUnknownKeys finds unknown keys written without a value ("foo:").
// viper drops them before decoding, so UnmarshalExact cannot see them; keys
// inside lists are not affected (viper keeps list values whole).
func emptyUnknownKeys(file string, data []byte, v *viper.Viper) []FieldError {
	var out []FieldError
	for _, k := range v.AllKeys() {
		if v.Get(k) != nil {
			continue
		}
		t := reflect.TypeFor[Inventory]()
		var path []string
		for _, part := range strings.Split(k, ".") {
			f, ok := fieldByKey(t, part)
			if !ok {
				path = append(path, originalKey(data, part))
				out = append(out, FieldError{File: file, Path: strings.Join(path, "."), Message: "unknown field"})
				break
			}
			path = append(path, f.tag)
			t = f.typ
		}
	}
	return out
}

// schemaField is a field of the schema as a key path reaches it.
type schemaField struct {
	tag string
	typ reflect.Type
}

// fieldByKey finds the struct field a lower-cased key decodes into.
func fieldByKey(t reflect.Type, key string) (schemaField, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return schemaField{}, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if tag != "-" && f.IsExported() && strings.EqualFold(tag, key) {
			return schemaField{tag, f.Type}, true
		}
	}
	return schemaField{}, false
}

// decodeErrors turns mapstructure's error tree into field errors.
func decodeErrors(file string, data []byte, err error) []FieldError {
	var out []FieldError
	var walk func(error)
	walk = func(err error) {
		var de *mapstructure.DecodeError
		switch e := err.(type) {
		case *mapstructure.DecodeError:
			de = e
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
			return
		default:
			if u := errors.Unwrap(err); u != nil {
				walk(u)
				return
			}
			out = append(out, FieldError{File: file, Message: err.Error()})
			return
		}
		inner := de.Unwrap()
		var nested *mapstructure.DecodeError
		if errors.As(inner, &nested) {
			walk(inner)
			return
		}
		path := de.Name()
		if keys, ok := strings.CutPrefix(inner.Error(), "has invalid keys: "); ok {
			for _, k := range strings.Split(keys, ", ") {
				out = append(out, FieldError{File: file, Path: joinPath(path, originalKey(data, k)), Message: "unknown field"})
			}
			return
		}
		fe := FieldError{File: file, Path: path, Message: typeMessage(inner)}
		var pe *mapstructure.ParseError
		var ue *mapstructure.UnconvertibleTypeError
		switch {
		case errors.As(inner, &pe):
			fe.Value = fmt.Sprint(pe.Value)
		case errors.As(inner, &ue):
			if k := reflect.ValueOf(ue.Value).Kind(); k != reflect.Map && k != reflect.Slice {
				fe.Value = fmt.Sprint(ue.Value)
			}
		}
		for _, s := range envSettings {
			if s.path == path {
				if os.Getenv(EnvVar(s.path)) != "" { // viper ignores empty variables
					fe.Message += " (from " + EnvVar(s.path) + ")"
				}
			}
		}
		out = append(out, fe)
	}
	walk(err)
	return out
}

// typeMessage rewords a mapstructure type error for operators.
func typeMessage(err error) string {
	var t reflect.Type
	var pe *mapstructure.ParseError
	var ue *mapstructure.UnconvertibleTypeError
	switch {
	case errors.As(err, &pe):
		t = pe.Expected.Type()
	case errors.As(err, &ue):
		t = ue.Expected.Type()
	default:
		return err.Error()
	}
	switch {
	case t == durationType:
		return "want a duration such as 60s"
	case t.Kind() == reflect.Bool:
		return "want true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		return "want a number"
	case t.Kind() == reflect.String:
		return "want a single value (text or number)"
	case t.Kind() == reflect.Slice:
		return "want a list"
	case t.Kind() == reflect.Struct || t.Kind() == reflect.Map || t.Kind() == reflect.Pointer:
		return "want a mapping of fields"
	}
	return err.Error()
}

// originalKey recovers how an unknown key was spelled in the document
// (viper lower-cases every key); it falls back to the lower-case form.
func originalKey(data []byte, lower string) string {
	re, err := regexp.Compile(`(?im)(?:^|[\s{,"'])(` + regexp.QuoteMeta(lower) + `)["']?\s*[:=]`)
	if err != nil {
		return lower
	}
	if m := re.FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return lower
}
