package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/koophone-go/koophone"
)

// pollPrinter shows the polls of a wait: JSON events on stdout with
// --json; otherwise on stderr one updating line on a terminal, or one plain
// line per status change elsewhere. --quiet shows nothing. Its methods are
// called from OnPoll, which never overlaps, so it needs no lock.
type pollPrinter struct {
	s        *session
	total    int
	terminal bool
	latest   map[string]koophone.PollEvent
	shown    map[string]string // per instance, the last plain line printed
	drawn    bool              // an updating line is on the screen
}

func newPollPrinter(s *session, total int) *pollPrinter {
	return &pollPrinter{s: s, total: total, terminal: isTerminal(s.stderr),
		latest: map[string]koophone.PollEvent{}, shown: map[string]string{}}
}

// event shows one poll.
func (p *pollPrinter) event(e koophone.PollEvent) {
	if e.Err == nil || p.latest[e.InstanceID].InstanceID == "" {
		p.latest[e.InstanceID] = e
	}
	switch {
	case p.s.g.quiet:
	case p.s.g.asJSON:
		writeJSON(p.s.stdout, pollEvent(e))
	case p.terminal:
		line := p.summary()
		if p.total == 1 {
			line = fmt.Sprintf("%s  %s  waitingCount %d  attempt %d  %.1fs",
				clean(e.InstanceID), describe(e), e.Progress.WaitingCount, e.Attempt, e.Elapsed.Seconds())
		}
		fmt.Fprintf(p.s.stderr, "\r\x1b[K%s", line)
		p.drawn = true
	default:
		line := describe(e)
		if e.Err == nil {
			line += fmt.Sprintf(" (waitingCount %d)", e.Progress.WaitingCount)
		}
		if p.shown[e.InstanceID] != line {
			p.shown[e.InstanceID] = line
			fmt.Fprintf(p.s.stderr, "%s: %s after %.1fs\n", clean(e.InstanceID), line, e.Elapsed.Seconds())
		}
	}
}

// pollEvent is the JSON event of a poll.
func pollEvent(e koophone.PollEvent) map[string]any {
	ev := map[string]any{"event": "poll", "instance_id": e.InstanceID, "attempt": e.Attempt,
		"elapsed_ms": e.Elapsed.Milliseconds(), "next_delay_ms": e.NextDelay.Milliseconds()}
	if e.Err != nil {
		ev["error"] = e.Err.Error()
	} else {
		ev["status"], ev["status_name"], ev["waiting_count"], ev["request_id"] =
			int(e.Progress.Status), e.Progress.Status.String(), e.Progress.WaitingCount, e.Progress.RequestID
	}
	return ev
}

// describe is a poll's status, or its failure, cleaned.
func describe(e koophone.PollEvent) string {
	if e.Err != nil {
		return "poll failed: " + clean(trimPrefix(e.Err.Error()))
	}
	return e.Progress.Status.String()
}

// summary counts the instances by how far they have got.
func (p *pollPrinter) summary() string {
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
func (p *pollPrinter) finish() {
	if p.drawn {
		fmt.Fprintln(p.s.stderr)
		p.drawn = false
	}
}

// lastStatuses lists the last status seen of every instance polled.
func (p *pollPrinter) lastStatuses() string {
	if len(p.latest) == 0 {
		return "none seen"
	}
	ids := make([]string, 0, len(p.latest))
	for id := range p.latest {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = clean(id) + " " + describe(p.latest[id])
	}
	return strings.Join(parts, ", ")
}
