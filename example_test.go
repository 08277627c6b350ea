package koophone_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// The examples run against koophonetest, the fake service; against the real
// one, leave out WithEndpoint and give a real token.

func ExampleNewClient() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1"))
	defer srv.Close()

	client, err := koophone.NewClient(
		koophone.WithEndpoint(srv.URL), // the default is koophone.DefaultEndpoint
		koophone.WithToken(srv.Token()),
		koophone.WithUserAgent("my-portal/1.0"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.CloseIdleConnections()
	p, err := client.PrepareProgress(context.Background(), "user-1", "phone-1")
	fmt.Println(p.Status, err)

	_, err = koophone.NewClient(koophone.WithToken("t"), koophone.WithEndpoint("ftp://example.com"))
	fmt.Println(err)
	// Output:
	// ready <nil>
	// koophone: invalid parameter: endpoint "ftp://example.com": scheme must be http or https
}

func ExampleClient_PrepareProgress() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	states, err := client.PrepareInstances(ctx, "user-1", []string{"phone-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(states[0].InstanceID, states[0].Status)

	p, err := client.PrepareProgress(ctx, "user-1", "phone-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s, waitingCount %d, terminal %v\n", p.Status, p.WaitingCount, p.Status.Terminal())
	// Output:
	// phone-1 to-be-restored
	// queuing, waitingCount 3, terminal false
}

func ExampleClient_WaitUntilReady() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	if _, err := client.PrepareInstances(ctx, "user-1", []string{"phone-1"}); err != nil {
		fmt.Println(err)
		return
	}
	p, err := client.WaitUntilReady(ctx, "user-1", "phone-1",
		koophone.WithPollInterval(time.Millisecond, 10*time.Millisecond), // the default is 1s..15s
		koophone.WithMaxWait(time.Minute),
		koophone.WithOnPoll(func(e koophone.PollEvent) {
			fmt.Printf("poll %d: %s (waitingCount %d)\n", e.Attempt, e.Progress.Status, e.Progress.WaitingCount)
		}))
	switch {
	case errors.Is(err, koophone.ErrPrepareFailed):
		fmt.Println("preparing failed")
	case errors.Is(err, koophone.ErrWaitTimeout):
		fmt.Println("still not ready:", p.Status)
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println("ready to stream:", p.Status)
	}
	// Output:
	// poll 1: queuing (waitingCount 3)
	// poll 2: queuing (waitingCount 2)
	// poll 3: queuing (waitingCount 1)
	// poll 4: restoring (waitingCount 0)
	// poll 5: restoring (waitingCount 0)
	// poll 6: ready (waitingCount 0)
	// ready to stream: ready
}

func ExampleClient_WaitAllReady() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	defer srv.Close()
	srv.Script("phone-3", koophone.PrepareQueuing, koophone.PrepareFailed)
	client := srv.Client()
	ctx := context.Background()
	ids := []string{"phone-1", "phone-2", "phone-3"}

	if _, err := client.PrepareInstances(ctx, "user-1", ids); err != nil {
		fmt.Println(err)
		return
	}
	progress, err := client.WaitAllReady(ctx, "user-1", ids,
		koophone.WithPollInterval(time.Millisecond, 10*time.Millisecond),
		koophone.WithConcurrency(4))
	for _, id := range sortedKeys(progress) {
		fmt.Println(id, progress[id].Status)
	}
	for _, ie := range koophone.InstanceErrors(err) { // every instance that did not become ready
		if errors.Is(ie, koophone.ErrPrepareFailed) {
			fmt.Println("failed:", ie.InstanceID)
		} else {
			fmt.Println("not ready:", ie.InstanceID, ie.Err)
		}
	}
	// Output:
	// phone-1 ready
	// phone-2 ready
	// phone-3 failed
	// failed: phone-3
}

func sortedKeys(m map[string]koophone.Progress) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func ExampleAPIError() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1"))
	defer srv.Close()
	client := srv.Client()

	_, err := client.PrepareProgress(context.Background(), "user-1", "phone-404")
	var apiErr *koophone.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("operation:", apiErr.Operation)
		fmt.Println("HTTP status:", apiErr.HTTPStatus)
		fmt.Println("code:", apiErr.Code)
		fmt.Println("message:", apiErr.Message)
		fmt.Println("has request id:", apiErr.RequestID != "")
	}
	fmt.Println("not found:", errors.Is(err, koophone.ErrInstanceNotFound))
	fmt.Println("throttled:", errors.Is(err, koophone.ErrThrottled))

	_, err = client.PrepareProgress(context.Background(), "user-1", "")
	fmt.Println(err)
	fmt.Println("invalid parameter:", errors.Is(err, koophone.ErrInvalidParameter))
	// Output:
	// operation: ShowProgress
	// HTTP status: 400
	// code: KOOPHONE.API.4001
	// message: instance not exist
	// has request id: true
	// not found: true
	// throttled: false
	// koophone: invalid parameter: instance id is empty
	// invalid parameter: true
}
