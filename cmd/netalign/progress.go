package main

import (
	"os"
	"strconv"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/netalign/netalign/internal/engine"
)

// progress returns a progress display: bars on a terminal, log lines
// otherwise.
func (a *app) progress() engine.Progress {
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !a.v.GetBool("no-color") {
		return &barProgress{a: a}
	}
	return logProgress{a}
}

// logProgress reports device progress as log lines.
type logProgress struct{ a *app }

func (p logProgress) Start(phase string, total int) { p.a.log.Info(phase, "devices", total) }

func (p logProgress) Done(device string, status engine.Status) {
	p.a.log.Debug("device done", "device", device, "status", status)
}

func (p logProgress) Finish() {}

// barProgress draws one bar per phase on the terminal (stderr).
type barProgress struct {
	a      *app
	mu     sync.Mutex
	p      *mpb.Progress
	bar    *mpb.Bar
	failed int
}

func (b *barProgress) Start(phase string, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failed = 0
	b.p = mpb.New(mpb.WithOutput(b.a.stderr), mpb.WithWidth(40))
	b.bar = b.p.AddBar(int64(total),
		mpb.PrependDecorators(decor.Name(phase, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO), decor.Any(func(decor.Statistics) string {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.failed == 0 {
				return ""
			}
			return "  failed: " + strconv.Itoa(b.failed)
		})),
	)
}

func (b *barProgress) Done(device string, status engine.Status) {
	b.mu.Lock()
	if status == engine.StatusFailed {
		b.failed++
	}
	bar := b.bar
	b.mu.Unlock()
	if bar != nil {
		bar.Increment()
	}
}

func (b *barProgress) Finish() {
	b.mu.Lock()
	p, bar := b.p, b.bar
	b.p, b.bar = nil, nil
	b.mu.Unlock()
	if bar != nil {
		bar.SetTotal(-1, true)
	}
	if p != nil {
		p.Wait()
	}
}
