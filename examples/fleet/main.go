// Command fleet lists a tenant's cloud phones, assigns a free one to a
// user, and prepares it for streaming, waiting until it is ready.
//
// With no environment set it runs against an in-process fake KooPhone
// service (package koophonetest) seeded with a small fleet: no credentials,
// no network; it assigns the first free running instance it lists. With
// KOOPHONE_USER_ID, KOOPHONE_INSTANCE_ID and credentials set (see
// koophone.WithEnvCredentials; KOOPHONE_ENDPOINT overrides the endpoint) it
// talks to the real service, as every example does, and assigns the
// instance KOOPHONE_INSTANCE_ID names, never one of its own choosing.
//
//	go run ./examples/fleet
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
	os.Exit(run(ctx, os.Stdout, os.Getenv, 300*time.Millisecond))
}

// run does the walk-through and returns the exit code. pace scales the fake
// service's timeline and the polling, so that tests can run it quickly.
func run(ctx context.Context, out io.Writer, getenv func(string) string, pace time.Duration) int {
	env, err := demo.Open(getenv, "alice", nil, pace,
		koophonetest.WithFleet(4),
		koophonetest.WithInstance(koophonetest.Instance{ID: "phone-vip", Name: "vip", User: "bob"}),
		koophonetest.WithTimeline(koophonetest.Timeline{Queue: 2 * pace, Restore: pace}))
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	defer env.Close()
	fmt.Fprintln(out, env.Describe())
	client, userID := env.Client, env.UserID

	fmt.Fprintln(out, "The fleet:")
	free, err := listFleet(ctx, out, client)
	if err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	if env.Fake == nil {
		free = env.InstanceIDs[0]
	}
	if free == "" {
		fmt.Fprintln(out, "No free running instance to assign.")
		return 1
	}

	fmt.Fprintf(out, "Assigning %s to %s...\n", free, userID)
	if err := client.AssignInstances(ctx, []koophone.UserInstance{{UserID: userID, InstanceID: free}}); err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	fmt.Fprintf(out, "Preparing %s...\n", free)
	if _, err := client.PrepareInstances(ctx, userID, []string{free}); err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	p, err := client.WaitUntilReady(ctx, userID, free, append(env.PollInterval(), koophone.WithMaxWait(10*time.Minute))...)
	switch {
	case err == nil:
		fmt.Fprintf(out, "Instance %s is %s: %s can stream it now.\n", free, p.Status, userID)
		return 0
	case errors.Is(err, koophone.ErrPrepareFailed):
		fmt.Fprintf(out, "Preparing instance %s failed.\n", free)
	default:
		fmt.Fprintln(out, err)
	}
	return 1
}

// listFleet prints every instance, one a line, page after page, and
// returns the id of the first one that is running and assigned to nobody
// ("" if none).
func listFleet(ctx context.Context, out io.Writer, client *koophone.Client) (string, error) {
	free, n := "", 0
	for in, err := range client.ListInstances(ctx, &koophone.ListInstancesOptions{PageSize: 100}) {
		if err != nil {
			return "", err
		}
		n++
		user := "-"
		if in.Assigned {
			user = in.AssignedUser
		} else if free == "" && in.Power == koophone.PowerRunning {
			free = in.InstanceID
		}
		fmt.Fprintf(out, "  %-12s %-12s %-8s %s\n", in.InstanceID, in.Name, in.Power, user)
	}
	fmt.Fprintf(out, "%d instances.\n", n)
	return free, nil
}
