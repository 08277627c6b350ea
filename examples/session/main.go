// Command session runs the whole streaming lifecycle the service
// documents: prepare an instance, wait until it is ready, get the device
// token a streaming client needs, stop streaming and release the session.
//
// With no environment set it runs against an in-process fake KooPhone
// service (package koophonetest). With KOOPHONE_USER_ID, KOOPHONE_INSTANCE_ID
// and credentials set (see koophone.WithEnvCredentials; KOOPHONE_ENDPOINT
// overrides the endpoint) it talks to the real service, as every example does.
//
//	go run ./examples/session
package main

import (
	"context"
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
	if err := run(ctx, os.Stdout, os.Getenv, 200*time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run goes through the lifecycle. pace scales the fake service's timeline
// and the polling, so that tests can run it quickly; against the real
// service the SDK's default polling applies.
func run(ctx context.Context, out io.Writer, getenv func(string) string, pace time.Duration) error {
	env, err := demo.Open(getenv, "demo-user", []string{"demo-phone-1"}, pace,
		koophonetest.WithTimeline(koophonetest.Timeline{Queue: 2 * pace, Restore: pace}))
	if err != nil {
		return err
	}
	defer env.Close()
	fmt.Fprintln(out, env.Describe())
	client, userID, instanceID := env.Client, env.UserID, env.InstanceIDs[0]

	fmt.Fprintf(out, "1. prepare %s for %s\n", instanceID, userID)
	if _, err := client.PrepareInstances(ctx, userID, []string{instanceID}); err != nil {
		return err
	}
	fmt.Fprintln(out, "2. wait until it is ready")
	p, err := client.WaitUntilReady(ctx, userID, instanceID, env.PollInterval()...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   %s\n", p.Status)

	fmt.Fprintln(out, "3. get the device token for the streaming client")
	dt, err := client.GetDeviceToken(ctx, instanceID, &koophone.DeviceTokenOptions{StreamType: koophone.StreamTypeSDK})
	if err != nil {
		return err
	}
	// Hand dt.Token, dt.DeviceID and dt.SignalingURL to the streaming
	// client; printing dt never shows the token.
	fmt.Fprintf(out, "   device %s, signalling at %s, for up to %s\n", dt.DeviceID, dt.SignalingURL, dt.StreamingDuration)

	fmt.Fprintln(out, "4. stream ... then stop streaming")
	if err := client.StopStreaming(ctx, instanceID); err != nil {
		return err
	}
	fmt.Fprintln(out, "5. release the session")
	if err := client.ReleaseSession(ctx, instanceID); err != nil {
		return err
	}
	fmt.Fprintln(out, "Done.")
	return nil
}
