// Command quickstart prepares a cloud phone for a user and waits until it
// can stream, printing each status change.
//
// With no environment set it runs against an in-process fake KooPhone
// service (package koophonetest): no credentials, no network. With
// KOOPHONE_TOKEN set it talks to the real service; then KOOPHONE_USER_ID
// and KOOPHONE_INSTANCE_ID say which instance, and KOOPHONE_ENDPOINT may
// override the endpoint.
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
	"github.com/koophone-go/koophone/koophonetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Stdout, os.Getenv, 600*time.Millisecond))
}

// run does the quickstart and returns the exit code. pace scales the fake
// service's timeline and the polling, so that tests can run it quickly.
func run(ctx context.Context, out io.Writer, getenv func(string) string, pace time.Duration) int {
	userID, instanceID := "demo-user", "demo-phone-1"
	var (
		client *koophone.Client
		err    error
		wait   = []koophone.WaitOption{koophone.WithMaxWait(10 * time.Minute)}
	)
	if getenv("KOOPHONE_TOKEN") == "" {
		srv := koophonetest.NewServer(
			koophonetest.WithInstances(userID, instanceID),
			koophonetest.WithTimeline(koophonetest.Timeline{Queue: 3 * pace, Restore: 2 * pace}),
		)
		defer srv.Close()
		fmt.Fprintf(out, "Using the fake KooPhone service at %s (set KOOPHONE_TOKEN to use the real one).\n", srv.URL)
		client = srv.Client()
		wait = append(wait, koophone.WithPollInterval(pace/4, pace))
	} else {
		userID, instanceID = getenv("KOOPHONE_USER_ID"), getenv("KOOPHONE_INSTANCE_ID")
		if userID == "" || instanceID == "" {
			fmt.Fprintln(out, "With KOOPHONE_TOKEN set, set KOOPHONE_USER_ID and KOOPHONE_INSTANCE_ID too.")
			return 2
		}
		opts := []koophone.Option{koophone.WithEnvCredentials(), koophone.WithUserAgent("koophone-quickstart")}
		if endpoint := getenv("KOOPHONE_ENDPOINT"); endpoint != "" {
			opts = append(opts, koophone.WithEndpoint(endpoint))
		}
		if client, err = koophone.NewClient(opts...); err != nil {
			fmt.Fprintln(out, err)
			return 2
		}
		defer client.CloseIdleConnections()
	}

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
