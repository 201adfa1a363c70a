package embedded

import "sync"

// committer writes lease changes in the order they were made, grouping the
// changes of concurrent requests into one lease-file transaction (one fsync):
// the handler queues a change while it holds its lock, so queue order is
// mutation order, and waits for the commit after releasing it. The first
// waiter with nothing in flight writes everything queued so far; the others
// wait for the batch that holds their change.
type committer struct {
	store *Store

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*ticket
	writing bool
}

// ticket is one queued change and, once written, its outcome.
type ticket struct {
	pool string
	m    mutation
	done bool
	err  error
}

func newCommitter(s *Store) *committer {
	c := &committer{store: s}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// submit queues a change; nil when there is nothing to write.
func (c *committer) submit(pool string, m mutation) *ticket {
	if len(m.puts) == 0 && len(m.dels) == 0 {
		return nil
	}
	t := &ticket{pool: pool, m: m}
	c.mu.Lock()
	c.queue = append(c.queue, t)
	c.mu.Unlock()
	return t
}

// wait returns once t is written (nil t: at once).
func (c *committer) wait(t *ticket) error {
	if t == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for !t.done {
		if c.writing {
			c.cond.Wait()
			continue
		}
		batch := c.queue
		c.queue, c.writing = nil, true
		c.mu.Unlock()
		err := c.store.writeBatch(batch)
		c.mu.Lock()
		for _, b := range batch {
			b.done, b.err = true, err
		}
		c.writing = false
		c.cond.Broadcast()
	}
	return t.err
}
