package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/koophone-go/koophone"
)

// writeJSON prints v as one line of JSON.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // maps of plain values always encode; a closed stdout is not worth a panic
}

// isTerminal reports whether w is a terminal. Writers that know better
// (tests) say so with an IsTerminal method.
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressPrinter shows the polls of a wait: JSON events on stdout with
// --json; otherwise on stderr one updating line on a terminal, or one plain
// line per status change elsewhere. --quiet shows nothing. Its methods are
// called from OnPoll, which never overlaps, so it needs no lock.
type progressPrinter struct {
	a        *app
	total    int
	terminal bool
	latest   map[string]koophone.PollEvent
	shown    map[string]string // per instance, the last plain line printed
	drawn    bool              // an updating line is on the screen
}

func newProgressPrinter(a *app, total int) *progressPrinter {
	return &progressPrinter{a: a, total: total, terminal: isTerminal(a.stderr),
		latest: map[string]koophone.PollEvent{}, shown: map[string]string{}}
}

func (p *progressPrinter) event(e koophone.PollEvent) {
	if e.Err == nil || p.latest[e.InstanceID].InstanceID == "" {
		p.latest[e.InstanceID] = e
	}
	if p.a.quiet {
		return
	}
	if p.a.asJSON {
		ev := map[string]any{"event": "poll", "instance_id": e.InstanceID, "attempt": e.Attempt,
			"elapsed_ms": e.Elapsed.Milliseconds(), "next_delay_ms": e.NextDelay.Milliseconds()}
		if e.Err != nil {
			ev["error"] = e.Err.Error()
		} else {
			ev["status"], ev["status_name"], ev["waiting_count"], ev["request_id"] =
				int(e.Progress.Status), e.Progress.Status.String(), e.Progress.WaitingCount, e.Progress.RequestID
		}
		writeJSON(p.a.stdout, ev)
		return
	}
	if p.terminal {
		line := p.summary()
		if p.total == 1 {
			line = fmt.Sprintf("%s  %s  waitingCount %d  attempt %d  %.1fs",
				e.InstanceID, describe(e), e.Progress.WaitingCount, e.Attempt, e.Elapsed.Seconds())
		}
		fmt.Fprintf(p.a.stderr, "\r\x1b[K%s", line)
		p.drawn = true
		return
	}
	line := describe(e)
	if e.Err == nil {
		line += fmt.Sprintf(" (waitingCount %d)", e.Progress.WaitingCount)
	}
	if p.shown[e.InstanceID] != line {
		p.shown[e.InstanceID] = line
		fmt.Fprintf(p.a.stderr, "%s: %s after %.1fs\n", e.InstanceID, line, e.Elapsed.Seconds())
	}
}

// describe is a poll's status, or its failure.
func describe(e koophone.PollEvent) string {
	if e.Err != nil {
		return "poll failed: " + e.Err.Error()
	}
	return e.Progress.Status.String()
}

// summary counts the instances by how far they have got.
func (p *progressPrinter) summary() string {
	ready, failed := 0, 0
	for _, e := range p.latest {
		switch {
		case e.Err != nil:
		case e.Progress.Status == koophone.PrepareReady:
			ready++
		case e.Progress.Status == koophone.PrepareFailed:
			failed++
		}
	}
	return fmt.Sprintf("ready %d · waiting %d · failed %d", ready, p.total-ready-failed, failed)
}

// finish ends the updating line, if one is drawn.
func (p *progressPrinter) finish() {
	if p.drawn {
		fmt.Fprintln(p.a.stderr)
		p.drawn = false
	}
}

// lastStatuses lists the last status seen of every instance polled.
func (p *progressPrinter) lastStatuses() string {
	if len(p.latest) == 0 {
		return "none seen"
	}
	var parts []string
	for _, id := range sortedIDs(p.latest) {
		parts = append(parts, id+" "+describe(p.latest[id]))
	}
	return strings.Join(parts, ", ")
}
