package embedded

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/netalign/netalign/internal/intent"
)

// PoolsFileVersion is the version of the pools file format.
const PoolsFileVersion = 1

// poolsFile is the JSON form of the pools file.
type poolsFile struct {
	Version int           `json:"version"`
	Pools   []intent.Pool `json:"pools"`
}

// ReadPools reads and validates a pools file. A missing file is an error
// wrapping os.ErrNotExist.
func ReadPools(path string) ([]intent.Pool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pools file %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f poolsFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("pools file %s: %w", path, err)
	}
	if f.Version != PoolsFileVersion {
		return nil, fmt.Errorf("pools file %s: version %d, want %d", path, f.Version, PoolsFileVersion)
	}
	if err := ValidatePools(f.Pools); err != nil {
		return nil, fmt.Errorf("pools file %s: %w", path, err)
	}
	return f.Pools, nil
}

// WritePools validates pools and replaces the pools file atomically: a
// temporary file in the same directory, fsync, rename, fsync of the
// directory. A reader sees the old file or the new one, never a mix.
func WritePools(path string, pools []intent.Pool) error {
	if err := ValidatePools(pools); err != nil {
		return fmt.Errorf("pools file %s: %w", path, err)
	}
	clean := make([]intent.Pool, len(pools))
	for i, p := range pools {
		p.Owned = false
		clean[i] = p
	}
	b, err := json.MarshalIndent(poolsFile{Version: PoolsFileVersion, Pools: clean}, "", "  ")
	if err != nil {
		return fmt.Errorf("pools file %s: encode: %w", path, err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("pools file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("pools file %s: write: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("pools file %s: chmod: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("pools file %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("pools file %s: close: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("pools file %s: rename: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
