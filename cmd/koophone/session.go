package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/itchyny/gojq"
	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/internal/redact"
	"github.com/koophone-go/koophone/koophonetest"
)

// globals are the flags every command takes.
type globals struct {
	endpoint, tokenFile, user, jq string
	asJSON, quiet, simulate       bool
	requestTimeout                durationFlag
}

// register adds the global flags to fs, the root's persistent flags: they
// go before or after the command.
func (g *globals) register(fs *pflag.FlagSet) {
	fs.BoolVar(&g.asJSON, "json", false, "print one JSON object per line")
	fs.StringVar(&g.jq, "jq", "", "print what the jq expression `EXPR` makes of each JSON object (implies --json)")
	fs.StringVar(&g.endpoint, "endpoint", "", "service endpoint, https (env KOOPHONE_ENDPOINT)")
	fs.StringVar(&g.tokenFile, "token-file", "", `read the IAM token from this file ("-": standard input)`)
	fs.StringVar(&g.user, "user", "", "the user id (env KOOPHONE_USER_ID)")
	fs.BoolVar(&g.quiet, "quiet", false, "print only the result")
	fs.BoolVar(&g.simulate, "simulate", false, "use an in-process fake service (not with --endpoint or --token-file)")
	fs.Var(&g.requestTimeout, "request-timeout", "give up on one HTTP attempt after this long")
	fs.Lookup("request-timeout").DefValue = "30s" // the SDK's, for --help: 0 leaves it to the SDK
}

// session is one invocation of a command: its name, global flags and
// streams, and what must be closed when it ends. It is used by one
// goroutine, except where a method says otherwise.
type session struct {
	name           string
	g              globals
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	args           []string // the command's positional arguments
	closers        []func()
	code           int        // the exit code of the command that ran
	jq             *gojq.Code // --jq, compiled
	jqErr          error      // the first error --jq raised
	jqHalted       bool       // --jq called halt: it prints nothing more
	stdinUsedBy    string     // the flag that reads standard input, if one does
}

// close releases what the command opened: the client's connections, the
// simulated service.
func (s *session) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// user returns --user, else $KOOPHONE_USER_ID, or "".
func (s *session) user() string {
	if s.g.user == "" {
		s.g.user = s.getenv("KOOPHONE_USER_ID")
	}
	return s.g.user
}

// requireUser returns the user id, or a usage error when there is none.
func (s *session) requireUser() (string, error) {
	if u := s.user(); u != "" {
		if err := checkID(u); err != nil {
			return "", usageErrorf("--user %v", err)
		}
		return u, nil
	}
	return "", usageErrorf("--user is required (or set KOOPHONE_USER_ID)")
}

// seed says what the simulated service knows when --simulate is given.
// The zero seed is a fake service that knows no instance.
type seed struct {
	ids      []string                // the instances, owned by the user (unassigned if there is none)
	pairs    []koophone.UserInstance // instances, each owned by its pair's user ("": unassigned)
	fleet    int                     // as many unassigned instances, "fleet-00001", …
	ready    bool                    // they are ready at once (for token, stop, release)
	prepared bool                    // they are prepared as the command starts: the timeline starts now
	pace     time.Duration           // a minimum poll interval; the timeline lasts about five (0: the default)
}

// client returns the client the command calls: one for the endpoint and
// credentials the flags and environment give or, with --simulate, one for
// an in-process fake service that knows what sd says. The session closes
// it.
func (s *session) client(ctx context.Context, sd seed) (*koophone.Client, error) {
	opts := []koophone.Option{koophone.WithUserAgent("koophone-cli/" + koophone.Version)}
	if timeout := time.Duration(s.g.requestTimeout); timeout != 0 { // checked by prepare; 0: not given
		opts = append(opts, koophone.WithRequestTimeout(timeout))
	}
	if s.g.simulate {
		if s.g.endpoint != "" || s.g.tokenFile != "" {
			return nil, usageErrorf("--simulate runs against an in-process fake service: it takes no --endpoint or --token-file")
		}
		return s.simulated(ctx, sd, opts)
	}
	endpoint, from := s.g.endpoint, "--endpoint"
	if endpoint == "" {
		endpoint, from = s.getenv("KOOPHONE_ENDPOINT"), "KOOPHONE_ENDPOINT"
	}
	if err := checkEndpoint(endpoint); err != nil {
		return nil, usageErrorf("%s: %v", from, err)
	}
	if endpoint != "" {
		opts = append(opts, koophone.WithEndpoint(endpoint))
	}
	if s.g.tokenFile != "" {
		tok, err := s.readToken()
		switch {
		case errors.Is(err, context.Canceled): // Ctrl-C while reading standard input
			return nil, err
		case err != nil:
			return nil, usageErrorf("--token-file: %v", err)
		}
		opts = append(opts, koophone.WithToken(tok))
	} else {
		opts = append(opts, koophone.WithEnvCredentials())
	}
	c, err := koophone.NewClient(opts...)
	if err != nil {
		return nil, &usageError{err: err}
	}
	s.closers = append(s.closers, c.CloseIdleConnections)
	return c, nil
}

// checkEndpoint refuses an endpoint the SDK would refuse to send
// credentials to, before anything starts: plain http to a host that is not
// loopback. The CLI has no flag to allow it. The endpoint is not quoted: it
// may hold credentials.
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" {
		return nil // the SDK says what else is wrong
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("plain http to %s: endpoints must be https (plain http is allowed only to a loopback address, as a credential would cross the network unencrypted)", clean(u.Host))
}

// simulated starts the fake service for --simulate. An instance whose id
// contains "fail" fails to prepare, and its first job fails (for every
// command that starts a task: unassign's pairs too). Each run has a fake
// of its own: a task started by one run is unknown to the next.
func (s *session) simulated(ctx context.Context, sd seed, opts []koophone.Option) (*koophone.Client, error) {
	if sd.pace <= 0 {
		sd.pace = koophone.DefaultMinPollInterval
	}
	user := s.user()
	srv := koophonetest.NewServer(koophonetest.WithTimeline(koophonetest.Timeline{Queue: 3 * sd.pace, Restore: 2 * sd.pace}),
		koophonetest.WithFleet(sd.fleet))
	s.closers = append(s.closers, srv.Close)
	for _, p := range sd.pairs {
		srv.AddInstance(p.UserID, p.InstanceID)
		if strings.Contains(p.InstanceID, "fail") {
			srv.FailJobs(p.InstanceID, "CPS0005", "simulated failure")
		}
	}
	for _, id := range sd.ids {
		switch {
		case sd.ready:
			srv.Script(id, koophone.PrepareReady)
		case strings.Contains(id, "fail"):
			srv.ScriptSteps(id, koophonetest.Step{Status: koophone.PrepareQueuing, WaitingCount: 2},
				koophonetest.Step{Status: koophone.PrepareRestoring}, koophonetest.Step{Status: koophone.PrepareFailed})
		default:
			srv.AddInstance(user, id)
		}
		if strings.Contains(id, "fail") {
			srv.FailJobs(id, "CPS0005", "simulated failure")
		}
	}
	if !s.g.quiet {
		fmt.Fprintf(s.stderr, "koophone: simulating the service at %s\n", srv.URL)
	}
	c := srv.Client(opts...)
	if sd.prepared && user != "" {
		if err := prepareAll(ctx, c, user, sd.ids); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// maxTokenFile bounds the token file: an IAM token is a few KiB.
const maxTokenFile = 64 << 10

// readToken reads the token file (or standard input), never echoing it.
func (s *session) readToken() (string, error) {
	r := s.stdin
	if s.g.tokenFile == "-" {
		if err := s.useStdin("--token-file -"); err != nil {
			return "", err
		}
	} else {
		f, err := os.Open(s.g.tokenFile)
		if err != nil {
			return "", fmt.Errorf("cannot open %s", s.g.tokenFile)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxTokenFile+1))
	switch {
	case errors.Is(err, context.Canceled):
		return "", err
	case err != nil:
		return "", errors.New("cannot read the token")
	case len(b) > maxTokenFile: // cut, it would be sent as another token
		return "", fmt.Errorf("more than %d KiB: want a file that holds only the token", maxTokenFile>>10)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("the token is empty")
	}
	return tok, nil
}

// prepareAll prepares instances 100 at a time, the most one call takes.
func prepareAll(ctx context.Context, c *koophone.Client, user string, ids []string) error {
	for start := 0; start < len(ids); start += 100 {
		if _, err := c.PrepareInstances(ctx, user, ids[start:min(start+100, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

// hide makes the session never print secrets: whatever it writes from now
// on has them replaced. The SDK scrubs what a call sends from that call's
// answers; a later call (a wait for the task) does not know them.
func (s *session) hide(secrets []string) {
	if len(secrets) == 0 {
		return
	}
	set := redact.New(secrets...)
	s.stdout = &hidingWriter{w: s.stdout, secrets: set}
	s.stderr = &hidingWriter{w: s.stderr, secrets: set}
}

// hidingWriter writes through w with secrets replaced, in every form a
// server may echo them (internal/redact). The printers write a line or a
// JSON object at a time, so a secret is never split between two writes.
type hidingWriter struct {
	w       io.Writer
	secrets *redact.Set
}

func (h *hidingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(h.w, h.secrets.Echoed(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// IsTerminal says what the writer it wraps is, so that the printers lay
// out their output as they would without it.
func (h *hidingWriter) IsTerminal() bool { return isTerminal(h.w) }
