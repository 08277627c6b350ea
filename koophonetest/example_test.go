package koophonetest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

func ExampleNewServer() {
	srv := koophonetest.NewServer(
		koophonetest.WithInstances("alice", "phone-1"),
		koophonetest.WithTimeline(koophonetest.Timeline{QueuePolls: 1, RestorePolls: 1}),
	)
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	if _, err := client.PrepareInstances(ctx, "alice", []string{"phone-1"}); err != nil {
		fmt.Println(err)
		return
	}
	for range 3 {
		p, _ := client.PrepareProgress(ctx, "alice", "phone-1")
		fmt.Println(p.Status)
	}
	_, err := client.PrepareProgress(ctx, "bob", "phone-1")
	fmt.Println(errors.Is(err, koophone.ErrPermissionDenied))
	fmt.Println(len(srv.Requests()), "requests")
	// Output:
	// queuing
	// restoring
	// ready
	// true
	// 5 requests
}

func ExampleServer_FailNext() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	srv.FailNext(1, koophonetest.HTMLPage(502))
	srv.FailNext(1, koophonetest.Throttle("0"))
	client := srv.Client(koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond}))

	p, err := client.PrepareProgress(context.Background(), "alice", "phone-1")
	fmt.Println(p.Status, err)
	for _, r := range srv.Requests() {
		fmt.Println(r.Operation, "fault:", r.Fault)
	}
	// Output:
	// ready <nil>
	// ShowProgress fault: true
	// ShowProgress fault: true
	// ShowProgress fault: false
}

func ExampleServer_Script() {
	srv := koophonetest.NewServer()
	defer srv.Close()
	srv.Script("phone-1", koophone.PrepareQueuing, koophone.PrepareStatus(7), koophone.PrepareFailed)

	_, err := srv.Client().WaitUntilReady(context.Background(), "anyone", "phone-1",
		koophone.WithPollInterval(time.Millisecond, time.Millisecond))
	fmt.Println(errors.Is(err, koophone.ErrPrepareFailed), srv.Polls("phone-1"))
	// Output:
	// true 3
}

func ExampleWithAKSK() {
	srv := koophonetest.NewServer(
		koophonetest.WithAKSK("AK-EXAMPLE", "secret", "project-1"),
		koophonetest.WithInstances("alice", "phone-1"),
	)
	defer srv.Close()
	ctx := context.Background()

	signing := srv.Client(koophone.WithAKSK("AK-EXAMPLE", "secret", "project-1"))
	p, err := signing.WaitUntilReady(ctx, "alice", "phone-1")
	fmt.Println(p.Status, err)

	wrong := srv.Client(koophone.WithAKSK("AK-EXAMPLE", "wrong-secret", "project-1"))
	_, err = wrong.PrepareProgress(ctx, "alice", "phone-1")
	fmt.Println(errors.Is(err, koophone.ErrUnauthorized))
	// Output:
	// ready <nil>
	// true
}
