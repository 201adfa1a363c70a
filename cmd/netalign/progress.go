package main

import (
	"github.com/netalign/netalign/internal/engine"
)

// logProgress reports device progress as log lines (non-terminal output).
type logProgress struct{ a *app }

func (p logProgress) Start(phase string, total int) {
	p.a.log.Info(phase, "devices", total)
}

func (p logProgress) Done(device string, status engine.Status) {
	p.a.log.Debug("device done", "device", device, "status", status)
}

func (p logProgress) Finish() {}

func (a *app) progress() engine.Progress { return logProgress{a} }
