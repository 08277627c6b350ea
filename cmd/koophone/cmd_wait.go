package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var waitCmd = command{
	name:  "wait",
	short: "wait until instances are ready (with --prepare, prepare them first)",
	long:  "Wait until every instance is ready. Exits 0 when all are ready, 1 when one failed to prepare, 4 on timeout.",
	examples: []string{
		"koophone wait --user user-1 --instance phone-1 --timeout 10m",
		"koophone wait --prepare --user user-1 --instance phone-1 --instance phone-2 --interval 2s..30s",
		"koophone wait --simulate --user demo --instance phone-1 --instance will-fail",
	},
	exits:  allExits,
	failed: "an instance failed to prepare",
	flags: func(fs *pflag.FlagSet) runFunc {
		w := &waitRun{ids: instancesFlag(fs, "an instance id; repeat for more")}
		fs.BoolVar(&w.prepare, "prepare", false, "prepare the instances first")
		w.flags.register(fs)
		return w.run
	},
}

// waitRun is one run of wait, with its flags.
type waitRun struct {
	ids     *idList
	prepare bool
	flags   waitFlags
}

func (w *waitRun) run(ctx context.Context, s *session) (*output, error) {
	var errs problems
	errs.add(w.flags.check())
	user, err := s.requireUser()
	errs.add(err)
	errs.add(w.ids.count(1, 0))
	if err := errs.err(); err != nil {
		return nil, err
	}
	ids := w.ids.ids
	c, err := s.client(ctx, seed{ids: ids, prepared: !w.prepare, pace: w.flags.interval.min}) // --prepare prepares them below
	if err != nil {
		return nil, err
	}
	if w.prepare {
		if err := prepareAll(ctx, c, user, ids); err != nil {
			return nil, err
		}
	}
	polls := newPollPrinter(s, len(ids))
	start := time.Now()
	progress, err := c.WaitAllReady(ctx, user, ids, w.flags.options(polls.event)...)
	spent := time.Since(start)
	polls.finish()
	failed := koophone.InstanceErrors(err)
	if err != nil && len(failed) == 0 {
		return nil, err // not about one instance: the arguments or options
	}
	return w.result(s, progress, failed, spent, polls), nil
}

// exitPriority is the order in which the instances' outcomes decide the
// exit code of a wait: the first that applies wins.
var exitPriority = []int{exitInterrupted, exitUsage, exitAuth, exitAPI, exitTimeout, exitFailed}

// result is the outcome of a wait that took spent: a line per instance,
// and the exit code.
func (w *waitRun) result(s *session, progress map[string]koophone.Progress, failed []*koophone.InstanceError,
	spent time.Duration, polls *pollPrinter) *output {
	errs := map[string]error{}
	codes := map[int]bool{}
	for _, ie := range failed {
		errs[ie.InstanceID] = ie.Err
		codes[exitCode(ie.Err)] = true
	}
	out := rowsOf("instances", nil)
	out.top = []value{jsonOnly("elapsed_ms", spent.Milliseconds())}
	for _, code := range exitPriority {
		if codes[code] {
			out.code = code
			break
		}
	}
	if out.code == exitInterrupted {
		fmt.Fprintf(s.stderr, "koophone %s: interrupted; last status: %s\n", s.name, polls.lastStatuses())
	}
	for _, id := range w.ids.ids {
		row := []value{field("instance_id", id), jsonOnly("ready", errs[id] == nil)}
		if p, ok := progress[id]; ok {
			row = append(row, jsonOnly("status", int(p.Status)), field("status_name", p.Status.String()))
		} else {
			row = append(row, textOnly("status_name", "unknown"))
		}
		if e := errs[id]; e != nil {
			row = append(row, field("error", w.describe(e, spent)))
		}
		out.rows = append(out.rows, row)
	}
	return out
}

// describe is the error of an instance that did not become ready. The
// SDK's timeout names the time allowed; this names the time spent too.
func (w *waitRun) describe(err error, spent time.Duration) string {
	if errors.Is(err, koophone.ErrWaitTimeout) {
		return "koophone: " + timedOut(spent, w.flags.timeout)
	}
	return err.Error()
}

// timedOut says how a wait that took spent ran out of timeout. A wait
// stops early when its next poll could not finish before the timeout: it
// says so, rather than "timed out after 0s".
func timedOut(spent time.Duration, timeout durationFlag) string {
	spent = spent.Round(time.Millisecond)
	if spent < time.Duration(timeout) {
		took := spent.String()
		if spent == 0 { // a first poll on loopback can take under half a millisecond
			took = "less than 1ms"
		}
		return fmt.Sprintf("stopped waiting after %s, before --timeout %s ran out: the next poll could not have "+
			"finished in time (raise --timeout, or lower --interval)", took, timeout)
	}
	return fmt.Sprintf("timed out after %s (--timeout %s)", spent, timeout)
}
