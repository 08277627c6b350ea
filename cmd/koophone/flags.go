package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/koophone-go/koophone"
)

// idList is a repeatable flag of ids, such as --instance.
type idList []string

func (l *idList) String() string { return strings.Join(*l, ",") }

// Set adds one id.
func (l *idList) Set(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	*l = append(*l, v)
	return nil
}

// instancesFlag registers --instance on fs, with its usage text.
func instancesFlag(fs *flag.FlagSet, usage string) *idList {
	ids := new(idList)
	fs.Var(ids, "instance", usage)
	return ids
}

// count checks that --instance was given least to most times (most 0: no
// limit).
func (l idList) count(least, most int) error {
	if n := len(l); n >= least && (most == 0 || n <= most) {
		return nil
	}
	switch most {
	case 1:
		return usageErrorf("--instance is required, once")
	case 0:
		return usageErrorf("--instance is required (repeat it for more instances)")
	}
	return usageErrorf("--instance is required (%d to %d times)", least, most)
}

// intervalFlag is MIN..MAX, or one duration for both.
type intervalFlag struct{ min, max time.Duration }

func (f *intervalFlag) String() string {
	if f.min == 0 && f.max == 0 {
		return ""
	}
	return f.min.String() + ".." + f.max.String()
}

// Set parses MIN..MAX, or one duration.
func (f *intervalFlag) Set(v string) error {
	lo, hi, ranged := strings.Cut(v, "..")
	if !ranged {
		hi = lo
	}
	min, err1 := time.ParseDuration(strings.TrimSpace(lo))
	max, err2 := time.ParseDuration(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || min <= 0 || max < min {
		return fmt.Errorf("want MIN..MAX such as 1s..15s, with 0 < MIN <= MAX")
	}
	f.min, f.max = min, max
	return nil
}

// waitFlags are the flags of a command that waits: --timeout, --interval
// and --concurrency.
type waitFlags struct {
	timeout     time.Duration
	interval    intervalFlag
	concurrency int
}

// register adds the wait flags to fs, with the SDK's defaults.
func (w *waitFlags) register(fs *flag.FlagSet) {
	w.interval = intervalFlag{min: koophone.DefaultMinPollInterval, max: koophone.DefaultMaxPollInterval}
	fs.DurationVar(&w.timeout, "timeout", koophone.DefaultMaxWait, "give up after this long")
	fs.Var(&w.interval, "interval", "backoff bounds between polls, MIN..MAX (or one duration)")
	fs.IntVar(&w.concurrency, "concurrency", koophone.DefaultConcurrency, "polls in flight at once")
}

// check returns a usage error for a value the SDK would refuse.
func (w *waitFlags) check() error {
	if w.timeout <= 0 {
		return usageErrorf("--timeout %s must be positive", w.timeout)
	}
	if w.concurrency < 1 {
		return usageErrorf("--concurrency %d must be at least 1", w.concurrency)
	}
	return nil
}

// options are the wait options the flags give, with onPoll.
func (w *waitFlags) options(onPoll func(koophone.PollEvent)) []koophone.WaitOption {
	return []koophone.WaitOption{
		koophone.WithMaxWait(w.timeout),
		koophone.WithPollInterval(w.interval.min, w.interval.max),
		koophone.WithConcurrency(w.concurrency),
		koophone.WithOnPoll(onPoll),
	}
}
