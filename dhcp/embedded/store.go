package embedded

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"

	bolt "go.etcd.io/bbolt"
)

// LeaseState is the state of a stored lease record.
type LeaseState string

// Lease states. Released and expired records stay in the store so that a
// returning client gets its previous address back while it is still free.
const (
	LeaseBound    LeaseState = "bound"
	LeaseReleased LeaseState = "released"
	LeaseExpired  LeaseState = "expired"
	// LeaseDeclined marks an address a client found in use (DHCPDECLINE); it
	// is quarantined until Expires.
	LeaseDeclined LeaseState = "declined"
)

// Lease is one address record of a pool.
type Lease struct {
	// Pool is the pool's subnet (its bucket in the lease file).
	Pool     string     `json:"pool"`
	IP       netip.Addr `json:"ip"`
	MAC      string     `json:"mac,omitempty"`
	State    LeaseState `json:"state"`
	Expires  time.Time  `json:"expires"`
	Hostname string     `json:"hostname,omitempty"`
}

// active reports whether the record still holds its address at now.
func (l *Lease) active(now time.Time) bool {
	return (l.State == LeaseBound || l.State == LeaseDeclined) && now.Before(l.Expires)
}

// Store is the bbolt lease file: one bucket per pool subnet, keyed by the
// 4-byte address, JSON values.
type Store struct {
	db   *bolt.DB
	path string
}

// OpenStore opens (creating it if needed) the lease file at path. Only one
// process may hold it; a second one fails after a second. noSync skips the
// fsync of every commit: faster, but a power loss may forget recent leases.
func OpenStore(path string, noSync bool) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: noSync})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("lease file %s: locked by another process", path)
		}
		return nil, fmt.Errorf("lease file %s: open: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Close closes the lease file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("lease file %s: close: %w", s.path, err)
	}
	return nil
}

func bucketName(pool string) []byte { return []byte("pool " + pool) }

func ipKey(a netip.Addr) []byte { b := a.As4(); return b[:] }

// Load returns every record of a pool.
func (s *Store) Load(pool string) ([]Lease, error) {
	var out []Lease
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketName(pool))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var l Lease
			if err := json.Unmarshal(v, &l); err != nil {
				return fmt.Errorf("record %x: %w", k, err)
			}
			l.Pool = pool
			out = append(out, l)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("lease file %s: load pool %s: %w", s.path, pool, err)
	}
	return out, nil
}

// Write stores puts and removes dels in one transaction.
func (s *Store) Write(pool string, puts []Lease, dels []netip.Addr) error {
	if len(puts) == 0 && len(dels) == 0 {
		return nil
	}
	return s.writeBatch([]*ticket{{pool: pool, m: mutation{puts: puts, dels: dels}}})
}

// writeBatch applies queued changes in order in one transaction.
func (s *Store) writeBatch(batch []*ticket) error {
	if len(batch) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, t := range batch {
			b, err := tx.CreateBucketIfNotExists(bucketName(t.pool))
			if err != nil {
				return err
			}
			for _, a := range t.m.dels {
				if err := b.Delete(ipKey(a)); err != nil {
					return err
				}
			}
			for _, l := range t.m.puts {
				v, err := json.Marshal(l)
				if err != nil {
					return err
				}
				if err := b.Put(ipKey(l.IP), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lease file %s: write: %w", s.path, err)
	}
	return nil
}
