package nxos

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// Rows is an NX-OS ROW_x value: one object when the table has one row, an
// array when it has several (`| json`), an array always (`| json native`,
// one row included), absent when it has none. It always decodes to a
// slice. Rows are decoded one by one: when T embeds norm.Undecoded, a row
// that does not fit T is kept with Err set instead of failing the table.
type Rows[T any] []T

// UnmarshalJSON accepts an object, an array of objects or null.
func (r *Rows[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*r = nil
		return nil
	case b[0] == '[':
		v, err := norm.DecodeList[T](b)
		*r = v
		return err
	}
	v, err := norm.DecodeRecord[T](b)
	if err != nil {
		return err
	}
	*r = Rows[T]{v}
	return nil
}

// Text is a scalar NX-OS prints as a string on some releases and a number
// on others ("vlanshowbr-vlanid": "1" or 230), or a string split into a list
// when long ("vlanshowplist-ifidx" on Nexus 6000). It decodes to one string;
// list parts are joined with commas.
type Text string

// UnmarshalJSON accepts a string, a number, a list of strings or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*t = ""
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	case '[':
		var parts []string
		if err := json.Unmarshal(b, &parts); err != nil {
			return err
		}
		*t = Text(strings.Join(parts, ","))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*t = Text(n.String())
	}
	return nil
}

// Int returns the text as an integer, 0 when it is not one.
func (t Text) Int() int {
	n, _ := strconv.Atoi(strings.TrimSpace(string(t)))
	return n
}
