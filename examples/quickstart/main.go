// Command quickstart prepares a cloud phone for a user and waits until it
// can stream, printing each status change.
//
// With no environment set it runs against an in-process fake KooPhone
// service (package koophonetest): no credentials, no network. With
// KOOPHONE_USER_ID, KOOPHONE_INSTANCE_ID and credentials set (see
// koophone.WithEnvCredentials; KOOPHONE_ENDPOINT overrides the endpoint) it
// talks to the real service, as every example does.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/examples/internal/demo"
	"github.com/koophone-go/koophone/koophonetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Stdout, os.Getenv, 600*time.Millisecond))
}

// run does the quickstart and returns the exit code. pace scales the fake
// service's timeline and the polling, so that tests can run it quickly;
// fakeOpts are more options for the fake service (a test gives it a clock).
func run(ctx context.Context, out io.Writer, getenv func(string) string, pace time.Duration, fakeOpts ...koophonetest.Option) int {
	env, err := demo.Open(getenv, "demo-user", []string{"demo-phone-1"}, pace,
		append([]koophonetest.Option{koophonetest.WithTimeline(koophonetest.Timeline{Queue: 3 * pace, Restore: 2 * pace})}, fakeOpts...)...)
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	defer env.Close()
	fmt.Fprintln(out, env.Describe())
	client, userID, instanceID := env.Client, env.UserID, env.InstanceIDs[0]
	wait := append(env.PollInterval(), koophone.WithMaxWait(10*time.Minute))

	fmt.Fprintf(out, "Preparing instance %s for user %s...\n", instanceID, userID)
	states, err := client.PrepareInstances(ctx, userID, []string{instanceID})
	if err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	for _, s := range states {
		fmt.Fprintf(out, "  %s: %s\n", s.InstanceID, s.Status)
	}

	lastLine := ""
	wait = append(wait, koophone.WithOnPoll(func(e koophone.PollEvent) {
		line := fmt.Sprintf("%s (waitingCount %d)", e.Progress.Status, e.Progress.WaitingCount)
		if e.Err != nil {
			line = fmt.Sprintf("poll %d failed: %v", e.Attempt, e.Err)
		}
		if line != lastLine { // print changes only
			fmt.Fprintf(out, "  [%5.1fs] %s\n", e.Elapsed.Seconds(), line)
			lastLine = line
		}
	}))
	p, err := client.WaitUntilReady(ctx, userID, instanceID, wait...)
	switch {
	case err == nil:
		fmt.Fprintf(out, "Instance %s is %s: it can stream now.\n", instanceID, p.Status)
		return 0
	case errors.Is(err, koophone.ErrPrepareFailed):
		fmt.Fprintf(out, "Preparing instance %s failed.\n", instanceID)
	case errors.Is(err, koophone.ErrWaitTimeout):
		fmt.Fprintf(out, "Gave up waiting: instance %s is still %s.\n", instanceID, p.Status)
	default:
		fmt.Fprintln(out, err)
	}
	return 1
}
