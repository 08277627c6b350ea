package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

// problems collects a command's usage errors, so that it reports all of
// them at once.
type problems []string

// add records err, if it is not nil.
func (p *problems) add(err error) {
	if err != nil {
		*p = append(*p, trimPrefix(err.Error()))
	}
}

// addf records a problem.
func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// err is every problem as one usage error, or nil.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return usageErrorf("%s", strings.Join(p, "; "))
}

// required returns a problem naming every flag of names that fs was not
// given, or nil.
func required(fs *pflag.FlagSet, names ...string) error {
	var missing []string
	for _, name := range names {
		if !fs.Changed(name) {
			missing = append(missing, "--"+name)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return usageErrorf("%s is required", missing[0])
	}
	return usageErrorf("%s are required", strings.Join(missing, ", "))
}

// durationFlag is a time.Duration flag whose error says how to write one.
type durationFlag time.Duration

func (d durationFlag) String() string { return time.Duration(d).String() }

// Type names the value in --help.
func (*durationFlag) Type() string { return "duration" }

// Set parses a duration with its unit.
func (d *durationFlag) Set(v string) error {
	parsed, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("want a duration with a unit, such as 30s, 10m or 1h30m")
	}
	*d = durationFlag(parsed)
	return nil
}

// idList is a repeatable flag of ids, such as --instance; "-" reads more
// from standard input, one a line (see session.readIDs).
type idList struct {
	ids       []string
	fromStdin bool // "-" was given
}

func (l *idList) String() string { return strings.Join(l.ids, ",") }

// Type names the value in --help.
func (*idList) Type() string { return "id" }

// Set adds one id, or notes "-".
func (l *idList) Set(v string) error {
	switch v {
	case "":
		return errors.New("must not be empty")
	case "-":
		l.fromStdin = true
	default:
		l.ids = append(l.ids, v)
	}
	return nil
}

// instancesFlag registers --instance on fs, with its usage text.
func instancesFlag(fs *pflag.FlagSet, usage string) *idList {
	ids := new(idList)
	fs.Var(ids, "instance", usage+` ("-": one a line from standard input)`)
	return ids
}

// batchFlag declares the repeatable --instance of a command that takes a
// batch of instances; check it with idList.batch.
func batchFlag(fs *pflag.FlagSet) *idList {
	return instancesFlag(fs, "an instance id; repeat for more (up to 100)")
}

// batch checks that --instance was given 1 to 100 times, the most one
// batch operation takes, with ids the service can take.
func (l *idList) batch() error { return l.count(1, 100) }

// count checks that --instance was given least to most times (most 0: no
// limit), each with an id of 1 to 32 characters without control
// characters, none twice.
func (l *idList) count(least, most int) error {
	if n := len(l.ids); n < least || (most != 0 && n > most) {
		switch {
		case most == 1 && n > 1:
			return usageErrorf("--instance takes one instance here; %d given", n)
		case most == 1:
			return usageErrorf("--instance is required, once")
		case most == 0:
			return usageErrorf("--instance is required (repeat it for more instances)")
		case n > most: // not "required": say what to do
			return usageErrorf("--instance: at most %d instances in one call; %d given (run it once per %d)", most, n, most)
		}
		return usageErrorf("--instance is required (%d to %d times; %d given)", least, most, n)
	}
	seen := make(map[string]bool, len(l.ids))
	for i, id := range l.ids {
		if err := checkID(id); err != nil {
			return usageErrorf("the %s --instance %v", ordinal(i+1), err)
		}
		if seen[id] {
			return usageErrorf("--instance %q is given twice", id)
		}
		seen[id] = true
	}
	return nil
}

// checkID says what is wrong with an id, as the SDK checks it, or nil.
func checkID(id string) error {
	if n := utf8.RuneCountInString(id); n > 32 {
		return fmt.Errorf("has %d characters; at most 32 are allowed", n)
	}
	for _, r := range id {
		if unsafeRune(r) || r == utf8.RuneError {
			return fmt.Errorf("%q has a control, format or invalid character", id)
		}
	}
	return nil
}

// firstError is the first of errs that is not nil, or nil.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ordinal is "first", "second", "third", then "4th", "21st" …
func ordinal(n int) string {
	if n <= 3 {
		return [...]string{"first", "second", "third"}[n-1]
	}
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprint(n, suffix)
}

// intervalFlag is MIN..MAX, or one duration for both.
type intervalFlag struct{ min, max time.Duration }

// Type names the value in --help.
func (*intervalFlag) Type() string { return "MIN..MAX" }

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
	timeout     durationFlag
	interval    intervalFlag
	concurrency int
	pollRate    float64
}

// defaultPollRate is --poll-rate's default: half the gateway's 200 calls
// per second per API, leaving the rest to the tenant's other callers.
const defaultPollRate = 100

// register adds the wait flags to fs, with the SDK's defaults.
func (w *waitFlags) register(fs *pflag.FlagSet) {
	w.registerTimes(fs)
	fs.IntVar(&w.concurrency, "concurrency", koophone.DefaultConcurrency, "polls in flight at once")
}

// registerTimes adds --timeout and --interval to fs, for a wait that polls
// one thing at a time (a task).
func (w *waitFlags) registerTimes(fs *pflag.FlagSet) {
	w.interval = intervalFlag{min: koophone.DefaultMinPollInterval, max: koophone.DefaultMaxPollInterval}
	w.concurrency = koophone.DefaultConcurrency
	w.timeout = durationFlag(koophone.DefaultMaxWait)
	fs.Var(&w.timeout, "timeout", "give up waiting after this long")
	fs.Var(&w.interval, "interval", "backoff bounds between polls, MIN..MAX (or one duration)")
	fs.Float64Var(&w.pollRate, "poll-rate", defaultPollRate, "at most this many polls per second for the wait, all instances (or tasks) together; "+
		"the default is half the gateway's 200 calls/s per API, and within it instances restoring or about to be ready are polled first")
}

// check returns a usage error for a value the SDK would refuse.
func (w *waitFlags) check() error {
	var errs problems
	if w.timeout <= 0 {
		errs.addf("--timeout %s must be positive", w.timeout)
	}
	if w.concurrency < 1 {
		errs.addf("--concurrency %d must be at least 1", w.concurrency)
	}
	if !(w.pollRate > 0 && w.pollRate <= koophone.MaxPollRate) {
		errs.addf("--poll-rate %v must be above 0 and at most %d", w.pollRate, koophone.MaxPollRate)
	}
	return errs.err()
}

// options are the wait options the flags give, with onPoll.
func (w *waitFlags) options(onPoll func(koophone.PollEvent)) []koophone.WaitOption {
	return []koophone.WaitOption{
		koophone.WithMaxWait(time.Duration(w.timeout)),
		koophone.WithPollInterval(w.interval.min, w.interval.max),
		koophone.WithConcurrency(w.concurrency),
		koophone.WithPollRate(w.pollRate),
		koophone.WithOnPoll(onPoll),
	}
}

// timeFlag is a time given as RFC 3339 or as "2006-01-02 15:04:05" in UTC.
type timeFlag struct{ t time.Time }

// Type names the value in --help.
func (*timeFlag) Type() string { return "time" }

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

// Type names the value in --help.
func (*pairList) Type() string { return "USER:INSTANCE" }

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
func yesFlag(fs *pflag.FlagSet, what string) func() error {
	yes := fs.Bool("yes", false, "confirm that this "+what)
	return func() error {
		if !*yes {
			return usageErrorf("this %s: add --yes to confirm", what)
		}
		return nil
	}
}
