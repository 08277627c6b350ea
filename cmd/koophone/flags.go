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

// batchFlag declares the repeatable --instance of a command that takes a
// batch of instances; check it with idList.batch.
func batchFlag(fs *flag.FlagSet) *idList {
	return instancesFlag(fs, "an instance id; repeat for more (up to 100)")
}

// batch checks that --instance was given 1 to 100 times, the most one
// batch operation takes.
func (l idList) batch() error { return l.count(1, 100) }

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
	w.registerTimes(fs)
	fs.IntVar(&w.concurrency, "concurrency", koophone.DefaultConcurrency, "polls in flight at once")
}

// registerTimes adds --timeout and --interval to fs, for a wait that polls
// one thing at a time (a task).
func (w *waitFlags) registerTimes(fs *flag.FlagSet) {
	w.interval = intervalFlag{min: koophone.DefaultMinPollInterval, max: koophone.DefaultMaxPollInterval}
	w.concurrency = koophone.DefaultConcurrency
	fs.DurationVar(&w.timeout, "timeout", koophone.DefaultMaxWait, "give up waiting after this long")
	fs.Var(&w.interval, "interval", "backoff bounds between polls, MIN..MAX (or one duration)")
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

// timeFlag is a time given as RFC 3339 or as "2006-01-02 15:04:05" in UTC.
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

// Set parses RFC 3339, or "2006-01-02 15:04:05" in UTC.
func (f *timeFlag) Set(v string) error {
	for _, layout := range []string{time.RFC3339, time.DateTime} {
		if t, err := time.Parse(layout, v); err == nil {
			f.t = t
			return nil
		}
	}
	return errors.New(`want RFC 3339 ("2026-01-02T15:04:05Z") or "2026-01-02 15:04:05" (UTC)`)
}

// pairList is the repeatable --pair USER:INSTANCE.
type pairList []koophone.UserInstance

func (l *pairList) String() string {
	parts := make([]string, len(*l))
	for i, p := range *l {
		parts[i] = p.UserID + ":" + p.InstanceID
	}
	return strings.Join(parts, ",")
}

// Set adds one pair; the user id is what comes before the last ':'.
func (l *pairList) Set(v string) error {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 || i == len(v)-1 {
		return errors.New("want USER:INSTANCE")
	}
	*l = append(*l, koophone.UserInstance{UserID: v[:i], InstanceID: v[i+1:]})
	return nil
}

// yesFlag registers --yes, which a command that spends money or destroys
// something requires, with what it does.
func yesFlag(fs *flag.FlagSet, what string) func() error {
	yes := fs.Bool("yes", false, "confirm that this "+what)
	return func() error {
		if !*yes {
			return usageErrorf("this %s: add --yes to confirm", what)
		}
		return nil
	}
}
