package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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
	if depth > 2*MaxDepth { // through aliases, or past checkBounds's estimate
		return nil, fmt.Errorf("line %d: %w (at most %d levels)", n.Line, ErrTooDeep, 2*MaxDepth)
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
