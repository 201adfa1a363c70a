package inventory_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/inventory"
)

// TestDepthCap: in every format, a document nested MaxDepth levels deep
// loads, one level more is refused before the parser runs, with its line.
func TestDepthCap(t *testing.T) {
	cleanEnv(t)
	// Each document puts d-1 levels under the top-level "settings" key.
	docs := map[string]func(d int) string{
		"yaml block": func(d int) string {
			var b strings.Builder
			b.WriteString("version: 1\n")
			for i := range d {
				b.WriteString(strings.Repeat(" ", i) + "settings:\n")
			}
			return b.String()
		},
		"yaml list markers": func(d int) string {
			return "version: 1\nsettings:\n  " + strings.Repeat("- ", d-2) + "x\n"
		},
		"yaml flow": func(d int) string {
			return "version: 1\nsettings: " + strings.Repeat("[", d-1) + strings.Repeat("]", d-1) + " # ]]]\n"
		},
		"yaml flow hidden in no string": func(d int) string {
			return "version: 1\nnetworks: [{name: '[[[', clusterNetwork: \"]]\\\"]\"}]\nsettings: " + strings.Repeat("{a: ", d-1) + "1" + strings.Repeat("}", d-1) + "\n"
		},
		"yaml block scalar": func(d int) string {
			return "version: 1\nsettings: |\n  " + strings.Repeat("[", 500) + "\nhosts: " + strings.Repeat("[", d-1) + strings.Repeat("]", d-1) + "\n"
		},
		"json": func(d int) string {
			return `{"version": 1, "settings": ` + strings.Repeat(`["[\"",`, d-2) + `[]` + strings.Repeat("]", d-2) + "}"
		},
		"toml": func(d int) string {
			return "version = 1\nsettings = " + strings.Repeat("[", d-1) + strings.Repeat("]", d-1) + "\n"
		},
		"toml dotted keys": func(d int) string {
			return "version = 1\n[settings" + strings.Repeat(".a", d-2) + "]\nb = 1\n"
		},
	}
	for name, doc := range docs {
		format := strings.Fields(name)[0]
		t.Run(name, func(t *testing.T) {
			_, err := inventory.LoadBytes(context.Background(), "x."+format, []byte(doc(inventory.MaxDepth)), format, opts)
			if errors.Is(err, inventory.ErrTooDeep) {
				t.Errorf("depth %d refused: %v", inventory.MaxDepth, err)
			}
			_, err = inventory.LoadBytes(context.Background(), "x."+format, []byte(doc(inventory.MaxDepth+1)), format, opts)
			if !errors.Is(err, inventory.ErrTooDeep) || !strings.Contains(err.Error(), "x."+format+": line ") {
				t.Errorf("depth %d: %v, want ErrTooDeep with the line", inventory.MaxDepth+1, err)
			}
		})
	}
}

// TestSizeCap: a document over MaxFileSize is refused, in memory and on
// disk, before it is parsed (and on disk, before it is read).
func TestSizeCap(t *testing.T) {
	big := make([]byte, inventory.MaxFileSize+1)
	if _, err := inventory.LoadBytes(context.Background(), "big.yaml", big, "yaml", opts); !errors.Is(err, inventory.ErrTooLarge) {
		t.Errorf("LoadBytes: %v, want ErrTooLarge", err)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil { // sparse: a terabyte of nothing
		t.Skip(err)
	}
	f.Close()
	start := time.Now()
	if _, err := inventory.Load(path, opts); !errors.Is(err, inventory.ErrTooLarge) {
		t.Errorf("Load: %v, want ErrTooLarge", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing took %v: the file was read", d)
	}
}

// TestLoadCancelled: a load ends with the context's cause, whether the
// context ended before or during it.
func TestLoadCancelled(t *testing.T) {
	cleanEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := inventory.LoadBytes(ctx, "fleet.yaml", fleet(4), "yaml", opts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v, want context.Canceled", err)
	}
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	if err := os.WriteFile(path, fleet(2000), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := inventory.LoadContext(ctx, path, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during: %v, want context.Canceled", err)
	}
}
