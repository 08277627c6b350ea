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
	terminal := isTerminal(s.stderr) && s.getenv("TERM") != "dumb" // a dumb terminal moves no cursor
	return &pollPrinter{s: s, total: total, terminal: terminal,
		latest: map[string]koophone.PollEvent{}, shown: map[string]string{}}
}

// event shows one poll.
func (p *pollPrinter) event(e koophone.PollEvent) {
	key := subject(e)
	if e.Err == nil || p.latest[key].Attempt == 0 {
		p.latest[key] = e
	}
	switch {
	case p.s.g.quiet:
	case p.s.g.asJSON:
		p.s.emit(pollEvent(e))
	case p.terminal:
		line := p.summary()
		if p.total == 1 {
			line = fmt.Sprintf("%s  %s  attempt %d  %.1fs", clean(key), status(e, "  waitingCount %d"), e.Attempt, e.Elapsed.Seconds())
		}
		fmt.Fprintf(p.s.stderr, "\r\x1b[K%s", line)
		p.drawn = true
	default:
		line := status(e, " (waitingCount %d)")
		if p.shown[key] != line {
			p.shown[key] = line
			fmt.Fprintf(p.s.stderr, "%s: %s after %.1fs\n", clean(key), line, e.Elapsed.Seconds())
		}
	}
}

// subject is what a poll was about: an instance id, or "task ID".
func subject(e koophone.PollEvent) string {
	if e.TaskID != "" {
		return "task " + e.TaskID
	}
	return e.InstanceID
}

// pollEvent is the JSON event of a poll.
func pollEvent(e koophone.PollEvent) map[string]any {
	ev := map[string]any{"event": "poll", "attempt": e.Attempt,
		"elapsed_ms": e.Elapsed.Milliseconds(), "next_delay_ms": e.NextDelay.Milliseconds()}
	switch {
	case e.TaskID != "":
		ev["task_id"] = e.TaskID
	default:
		ev["instance_id"] = e.InstanceID
	}
	switch {
	case e.Err != nil:
		ev["error"] = e.Err.Error()
	case e.TaskID != "":
		jobs := make([]map[string]any, len(e.Jobs))
		for i, j := range e.Jobs {
			jobs[i] = map[string]any{"job_id": j.JobID, "status": int(j.Status), "status_name": j.Status.String()}
			if j.InstanceID != "" { // as in the result: when the task's start or the service named it
				jobs[i]["instance_id"] = j.InstanceID
			}
		}
		ev["jobs"] = jobs
	default:
		ev["status"], ev["status_name"], ev["waiting_count"], ev["request_id"] =
			int(e.Progress.Status), e.Progress.Status.String(), e.Progress.WaitingCount, e.Progress.RequestID
	}
	return ev
}

// describe is a poll's status (for a task, how many jobs are where), or
// its failure, cleaned.
func describe(e koophone.PollEvent) string {
	switch {
	case e.Err != nil:
		return "poll failed: " + clean(trimPrefix(e.Err.Error()))
	case e.TaskID != "":
		return jobCounts(e.Jobs)
	}
	return e.Progress.Status.String()
}

// status is describe(e) and, for an instance, its waiting count in
// format.
func status(e koophone.PollEvent, format string) string {
	if e.Err != nil || e.TaskID != "" {
		return describe(e)
	}
	return describe(e) + fmt.Sprintf(format, e.Progress.WaitingCount)
}

// jobCounts counts jobs by status: "1 running · 2 succeeded".
func jobCounts(jobs []koophone.JobResult) string {
	if len(jobs) == 0 {
		return "no job yet"
	}
	counts := map[string]int{}
	for _, j := range jobs {
		counts[j.Status.String()]++
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		names[i] = fmt.Sprintf("%d %s", counts[name], name)
	}
	return strings.Join(names, " · ")
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
