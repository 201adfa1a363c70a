package inventory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
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

// Load is LoadContext without cancellation, for tests and tools.
func Load(path string, opts Options) (*Inventory, error) {
	return LoadContext(context.Background(), path, opts)
}

// LoadContext reads an inventory file (YAML, JSON or TOML, chosen by the
// extension) of at most MaxFileSize bytes, applies NETALIGN_SETTINGS_*
// environment overrides and defaults, and validates it. Problems of the
// content, including unknown keys and values of the wrong type, come back
// together as ValidationErrors; the inventory is returned only when there
// are none. The load ends early with the context's cause when ctx ends.
func LoadContext(ctx context.Context, path string, opts Options) (*Inventory, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if _, ok := formats[ext]; !ok {
		return nil, fmt.Errorf("inventory %s: unsupported file extension %q (want .yaml, .yml, .json or .toml)", path, filepath.Ext(path))
	}
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return LoadBytes(ctx, path, data, ext, opts)
}

// readBounded reads at most MaxFileSize bytes of a file, refusing a larger
// one.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	defer f.Close()
	tooLarge := func(n int64) error {
		return fmt.Errorf("inventory %s: %w: %d bytes or more, at most %d (%d MiB)", path, ErrTooLarge, n, MaxFileSize, MaxFileSize>>20)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxFileSize {
		return nil, tooLarge(fi.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge(int64(len(data)))
	}
	return data, nil
}

// LoadBytes is LoadContext for an inventory held in memory; name is used
// in messages and as Inventory.Source, format is yaml, yml, json or toml.
//
// The document is bounded (MaxFileSize, MaxDepth) before a parser sees it,
// parsed once, and its keys are checked against the schema in one walk;
// viper then merges the environment and decodes the values. The work runs
// in its own goroutine and looks at ctx between phases and in its loops;
// LoadBytes itself returns as soon as ctx ends, because the YAML, JSON and
// TOML parsers take no context.
func LoadBytes(ctx context.Context, name string, data []byte, format string, opts Options) (*Inventory, error) {
	typ, ok := formats[strings.ToLower(format)]
	if !ok {
		return nil, fmt.Errorf("inventory %s: unsupported format %q (want yaml, json or toml)", name, format)
	}
	type result struct {
		inv *Inventory
		err error
	}
	done := make(chan result, 1)
	go func() {
		inv, err := load(ctx, name, data, typ, opts)
		done <- result{inv, err}
	}()
	select {
	case r := <-done:
		return r.inv, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("inventory %s: %w", name, context.Cause(ctx))
	}
}

// load is LoadBytes's work, phase by phase.
func load(ctx context.Context, name string, data []byte, format string, opts Options) (*Inventory, error) {
	stopped := func() error {
		if ctx.Err() != nil {
			return fmt.Errorf("inventory %s: %w", name, context.Cause(ctx))
		}
		return nil
	}
	if err := checkBounds(ctx, name, data, format); err != nil {
		return nil, err
	}
	if err := stopped(); err != nil {
		return nil, err
	}
	doc, err := parse(name, data, format)
	if err != nil {
		return nil, err
	}
	if err := stopped(); err != nil {
		return nil, err
	}
	decodeErrs, err := checkKeys(ctx, name, doc.root)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", name, err)
	}
	prune(doc.values, reflect.TypeFor[Inventory]())
	inv, typeErrs, err := decode(name, doc.values)
	if err != nil {
		return nil, err
	}
	decodeErrs = append(decodeErrs, typeErrs...)
	if err := stopped(); err != nil {
		return nil, err
	}
	all := decodeErrs
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

// decode merges the document's values with the environment overrides and
// decodes them into an Inventory with defaults applied. Values of the wrong
// type are returned as FieldErrors next to the partly decoded inventory
// (unknown keys were found by checkKeys); err is set only when viper cannot
// be set up.
func decode(name string, values map[string]any) (*Inventory, []FieldError, error) {
	v := viper.New()
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
	if err := v.MergeConfigMap(values); err != nil {
		return nil, nil, fmt.Errorf("inventory %s: %w", name, err)
	}
	inv := &Inventory{}
	var fieldErrs []FieldError
	if err := v.Unmarshal(inv, viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(shapeHook, durationHook))); err != nil {
		fieldErrs = decodeErrors(name, err)
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

// decodeErrors turns mapstructure's error tree into field errors.
func decodeErrors(file string, err error) []FieldError {
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
