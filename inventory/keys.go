package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	"go.yaml.in/yaml/v3"
)

// document is an inventory parsed once: its node tree, which the key check
// walks (with the line of every key), and its values as a map, for viper to
// merge with the environment and decode into the schema.
type document struct {
	root   *yaml.Node
	values map[string]any
}

// parse reads data, already bounded by checkBounds, in format (yaml, json
// or toml). The YAML tree is yaml.v3's own, and the values are read from it
// (yamlValues); JSON and TOML values are what encoding/json and go-toml
// decode, as viper's codecs do, and their trees are built with the lines
// their parsers report.
func parse(name string, data []byte, format string) (*document, error) {
	doc := &document{values: map[string]any{}}
	var err error
	switch format {
	case "yaml":
		doc.root = &yaml.Node{}
		if err = yaml.Unmarshal(data, doc.root); err == nil {
			doc.values, err = yamlValues(doc.root)
		}
	case "json":
		if err = json.Unmarshal(data, &doc.values); err == nil {
			doc.root, err = jsonTree(data)
		}
	case "toml":
		if err = toml.Unmarshal(data, &doc.values); err == nil {
			doc.root, err = tomlTree(data)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("inventory %s: parse %s: %w", name, format, err)
	}
	if doc.values == nil { // a document of null
		doc.values = map[string]any{}
	}
	return doc, nil
}

// yamlValues reads the values of a YAML document as yaml.v3 decodes them
// into a map[string]any, but in linear time: yaml.v3's decoder compares
// every key of a mapping with every other (200,000 keys take minutes), and
// repeated keys are reported by checkKeys instead. Merge keys are applied
// (explicit keys win), aliases are copied within a budget: what they add may
// not exceed four times what the document holds itself plus 10,000 nodes,
// nor nest deeper than 2*MaxDepth.
func yamlValues(root *yaml.Node) (map[string]any, error) {
	b := &yamlBuilder{}
	v, err := b.value(root, 0, false)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return nil, fmt.Errorf("the document is %s, want a mapping of fields", shapeName(root))
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// errAliasing refuses a document whose aliases would blow up its values.
var errAliasing = errors.New("document contains excessive aliasing")

type yamlBuilder struct {
	direct, copied int // nodes read in place, and through aliases
}

func (b *yamlBuilder) value(n *yaml.Node, depth int, aliased bool) (any, error) {
	if aliased {
		b.copied++
	} else {
		b.direct++
	}
	if b.copied > 4*b.direct+10_000 {
		return nil, errAliasing
	}
	if depth > 2*MaxDepth {
		return nil, fmt.Errorf("line %d: %w through aliases", n.Line, ErrTooDeep)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return b.value(n.Content[0], depth, aliased)
	case yaml.AliasNode:
		return b.value(n.Alias, depth+1, true)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := b.value(c, depth+1, aliased)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch {
			case k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge":
				merges = append(merges, v)
				continue
			case k.Kind != yaml.ScalarNode:
				continue // checkKeys reports it
			}
			val, err := b.value(v, depth+1, aliased)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		for _, m := range merges {
			if err := b.merge(out, m, depth+1, aliased); err != nil {
				return nil, err
			}
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return n.Value, nil
		case "!!null":
			return nil, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, nil
}

// merge adds the fields of a merge key's mapping (or list of mappings) to
// out where out has none: explicit keys win, and so do mappings earlier in
// the list (YAML's merge key type).
func (b *yamlBuilder) merge(out map[string]any, m *yaml.Node, depth int, aliased bool) error {
	if m.Kind == yaml.SequenceNode {
		for _, c := range m.Content {
			if err := b.merge(out, c, depth, aliased); err != nil {
				return err
			}
		}
		return nil
	}
	v, err := b.value(m, depth, aliased)
	if err != nil {
		return err
	}
	fields, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("line %d: a merge key (<<) takes a mapping or a list of mappings", m.Line)
	}
	for k, fv := range fields {
		if _, set := out[k]; !set {
			out[k] = fv
		}
	}
	return nil
}

func shapeName(n *yaml.Node) string {
	for n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "not a mapping"
}

// lineCounter turns byte offsets into line numbers in one pass: offsets
// asked for only grow (a smaller one restarts the count).
type lineCounter struct {
	data      []byte
	off, line int
}

func (c *lineCounter) at(off int) int {
	if off < c.off || c.line == 0 {
		c.off, c.line = 0, 1
	}
	off = min(off, len(c.data))
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}

// jsonTree reads a JSON document token by token into a node tree, each key
// with its line.
func jsonTree(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	lines := &lineCounter{data: data}
	var value func(tok json.Token) (*yaml.Node, error)
	value = func(tok json.Token) (*yaml.Node, error) {
		line := lines.at(int(dec.InputOffset()))
		d, ok := tok.(json.Delim)
		if !ok {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(tok), Line: line}, nil
		}
		n := &yaml.Node{Kind: yaml.SequenceNode, Line: line}
		if d == '{' {
			n.Kind = yaml.MappingNode
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if n.Kind == yaml.MappingNode {
				key, _ := tok.(string)
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key, Line: lines.at(int(dec.InputOffset()))})
				if tok, err = dec.Token(); err != nil {
					return nil, err
				}
			}
			v, err := value(tok)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	}
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return &yaml.Node{}, nil
	}
	if err != nil {
		return nil, err
	}
	return value(tok)
}

// tomlTree reads a TOML document with go-toml's parser into a node tree,
// each key with its line: [table] and [[array]] headers select where the
// following keys go, dotted keys open tables on the way.
func tomlTree(data []byte) (*yaml.Node, error) {
	b := tomlBuilder{lines: lineCounter{data: data}, index: map[*yaml.Node]map[string]*yaml.Node{}}
	root := &yaml.Node{Kind: yaml.MappingNode, Line: 1}
	cur := root
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			cur = root
			it := e.Key()
			for it.Next() {
				cur = b.child(cur, it.Node(), e.Kind == unstable.ArrayTable && it.IsLast())
			}
		case unstable.KeyValue:
			b.keyValue(cur, e)
		}
	}
	return root, p.Error()
}

// tomlBuilder keeps, per mapping, its keys by name, so that headers and
// dotted keys find their table in constant time.
type tomlBuilder struct {
	lines lineCounter
	index map[*yaml.Node]map[string]*yaml.Node
}

// child returns the table under key k of mapping m, creating it. An array
// of tables yields its last table, or a new one when newElem is set.
func (b *tomlBuilder) child(m *yaml.Node, k *unstable.Node, newElem bool) *yaml.Node {
	name := string(k.Data)
	v := b.index[m][name]
	if v == nil {
		v = &yaml.Node{Kind: yaml.MappingNode}
		if newElem {
			v.Kind = yaml.SequenceNode
		}
		b.add(m, k, v)
	}
	if v.Kind == yaml.SequenceNode {
		if newElem || len(v.Content) == 0 {
			v.Content = append(v.Content, &yaml.Node{Kind: yaml.MappingNode})
		}
		return v.Content[len(v.Content)-1]
	}
	if v.Kind != yaml.MappingNode { // not TOML that go-toml accepted
		return &yaml.Node{Kind: yaml.MappingNode}
	}
	return v
}

func (b *tomlBuilder) add(m *yaml.Node, k *unstable.Node, v *yaml.Node) {
	name := string(k.Data)
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name, Line: b.lines.at(int(k.Raw.Offset))}, v)
	if b.index[m] == nil {
		b.index[m] = map[string]*yaml.Node{}
	}
	b.index[m][name] = v
}

func (b *tomlBuilder) keyValue(m *yaml.Node, kv *unstable.Node) {
	it := kv.Key()
	for it.Next() {
		if it.IsLast() {
			b.add(m, it.Node(), b.value(kv.Value()))
			return
		}
		m = b.child(m, it.Node(), false)
	}
}

func (b *tomlBuilder) value(v *unstable.Node) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: string(v.Data)}
	switch v.Kind {
	case unstable.Array:
		n.Kind = yaml.SequenceNode
		it := v.Children()
		for it.Next() {
			n.Content = append(n.Content, b.value(it.Node()))
		}
	case unstable.InlineTable:
		n.Kind = yaml.MappingNode
		it := v.Children()
		for it.Next() {
			b.keyValue(n, it.Node())
		}
	}
	return n
}

// keyChecker walks a document against the schema (the mapstructure tags of
// Inventory) and reports every key the schema does not have, spelled as
// written, with its line and, when one is close, the key that was probably
// meant. Keys are compared exactly: lagIDs is not lagIds. The walk visits
// each node once (a node an alias points to once per schema type), so it is
// linear in the document.
type keyChecker struct {
	ctx   context.Context
	file  string
	errs  []FieldError
	seen  map[aliasUse]bool
	steps int
	err   error // the context's, when it ended the walk
}

type aliasUse struct {
	n *yaml.Node
	t reflect.Type
}

// checkKeys returns the unknown keys of doc, or the context's error.
func checkKeys(ctx context.Context, file string, root *yaml.Node) ([]FieldError, error) {
	k := &keyChecker{ctx: ctx, file: file, seen: map[aliasUse]bool{}}
	k.walk(root, reflect.TypeFor[Inventory](), make([]pathSeg, 0, 8))
	return k.errs, k.err
}

func (k *keyChecker) walk(n *yaml.Node, t reflect.Type, segs []pathSeg) {
	if k.err != nil || n == nil {
		return
	}
	if k.steps++; k.steps%scanCheckEvery == 0 {
		if k.err = k.ctx.Err(); k.err != nil {
			k.err = context.Cause(k.ctx)
			return
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			k.walk(c, t, segs)
		}
	case yaml.AliasNode:
		use := aliasUse{n.Alias, t}
		if !k.seen[use] {
			k.seen[use] = true
			k.walk(n.Alias, t, segs)
		}
	case yaml.SequenceNode:
		if t.Kind() == reflect.Slice {
			for i, c := range n.Content {
				k.walk(c, t.Elem(), append(segs, pathSeg{index: i, isIndex: true}))
			}
		}
	case yaml.MappingNode:
		if t.Kind() != reflect.Struct || t == durationType {
			return // the decoder reports the wrong shape
		}
		fields := schemaOf(t)
		var first [64]int // line of each field's first key, to find repeats
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Kind == yaml.ScalarNode && key.Value == "<<" && key.Tag == "!!merge" {
				k.walk(val, t, segs) // a merge key: its mappings' keys are this one's
				continue
			}
			f, ok := fields.index[key.Value]
			if !ok || key.Kind != yaml.ScalarNode {
				k.unknown(key, fields, segs)
				continue
			}
			path := append(segs, pathSeg{field: key.Value})
			if f < len(first) {
				if first[f] > 0 {
					k.errs = append(k.errs, FieldError{File: k.file, Line: key.Line, Path: segsPath(path), Message: fmt.Sprintf("given twice (first at line %d)", first[f])})
				}
				first[f] = key.Line
			}
			k.walk(val, fields.types[key.Value], path)
		}
	}
}

func (k *keyChecker) unknown(key *yaml.Node, fields *schemaFields, segs []pathSeg) {
	fe := FieldError{File: k.file, Line: key.Line, Path: segsPath(append(segs, pathSeg{field: keyInPath(key.Value)})), Message: "unknown field"}
	if key.Kind != yaml.ScalarNode {
		fe.Path, fe.Message = segsPath(segs), "keys must be text"
	} else if s := suggest(key.Value, fields.tags); s != "" {
		fe.Message += fmt.Sprintf("; did you mean %q?", s)
	}
	k.errs = append(k.errs, fe)
}

// keyInPath spells an unknown key for a field path: as written when it is
// plain printable text, else quoted with its control and invisible
// characters escaped; cut after 64 bytes.
func keyInPath(key string) string {
	cut := len(key) > 64
	if cut {
		key = strings.ToValidUTF8(key[:64], "")
	}
	plain := key != "" && strings.IndexFunc(key, func(r rune) bool {
		return !unicode.IsPrint(r) || r == '"' || r == '\\' || r == utf8.RuneError
	}) < 0
	switch {
	case plain && !cut:
		return key
	case plain:
		return key + "..."
	case cut:
		return strconv.Quote(key) + "..."
	}
	return strconv.Quote(key)
}

// schemaFields are the keys of one struct of the schema, in field order.
type schemaFields struct {
	fields []schemaField
	tags   []string
	types  map[string]reflect.Type
	index  map[string]int    // key -> position in fields
	folded map[string]string // lower-case key -> key
}

// schemaField is one decoded field: its index in the struct, its key and
// which text rules its strings follow (fieldKinds).
type schemaField struct {
	index int
	tag   string
	kind  textKind
}

var schemaCache sync.Map // reflect.Type -> *schemaFields

// schemaOf lists the decoded fields of a struct type of the schema.
func schemaOf(t reflect.Type) *schemaFields {
	if f, ok := schemaCache.Load(t); ok {
		return f.(*schemaFields)
	}
	f := &schemaFields{types: map[string]reflect.Type{}, index: map[string]int{}, folded: map[string]string{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("mapstructure"), ",")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		if tag == "" {
			tag = sf.Name
		}
		f.fields = append(f.fields, schemaField{index: i, tag: tag, kind: fieldKinds[t.Name()+"."+sf.Name]})
		f.index[tag] = len(f.tags)
		f.tags = append(f.tags, tag)
		f.types[tag] = sf.Type
		f.folded[strings.ToLower(tag)] = tag
	}
	schemaCache.Store(t, f)
	return f
}

// prune keeps in v, a document's values, only the keys of the schema, so
// that viper (whose merge compares every key of a map with every other)
// sees a handful of keys per mapping. A key the schema has in another case
// is moved to the schema's spelling when that one is absent: checkKeys has
// reported it, and the value still decodes, so that no second problem
// follows from the first.
func prune(v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct || t == durationType {
			return
		}
		fields := schemaOf(t)
		for key, fv := range x {
			if _, ok := fields.types[key]; ok {
				continue
			}
			delete(x, key)
			if tag, ok := fields.folded[strings.ToLower(key)]; ok {
				if _, set := x[tag]; !set {
					x[tag] = fv
				}
			}
		}
		for key, fv := range x {
			prune(fv, fields.types[key])
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for _, e := range x {
				prune(e, t.Elem())
			}
		}
	}
}

// suggest returns the key of tags that key was probably meant to be: the
// same word in another case, or one at most two edits away (and less than
// a third of its length); "" when none is.
func suggest(key string, tags []string) string {
	for _, t := range tags {
		if strings.EqualFold(t, key) {
			return t
		}
	}
	lower := strings.ToLower(key)
	best, bestDist := "", 3
	for _, t := range tags {
		if d := len(t) - len(key); d >= bestDist || -d >= bestDist {
			continue // too far apart whatever the letters
		}
		if d := editDistance(lower, strings.ToLower(t)); d < bestDist && 3*d < len(t) {
			best, bestDist = t, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short words, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
