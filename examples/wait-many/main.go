// Command wait-many prepares many cloud phones at once and waits for all
// of them with one WaitAllReady call, drawing a progress summary.
//
// It runs against an in-process fake KooPhone service (package
// koophonetest) in which the last instance fails to prepare on purpose, to
// show how the errors of a batch come back. It exits 0 when that one, and
// only that one, failed as scripted; 1 when anything else went wrong.
//
//	go run ./examples/wait-many
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
	os.Exit(run(ctx, os.Stdout, 24, 100*time.Millisecond))
}

func run(ctx context.Context, out io.Writer, count int, pace time.Duration) int {
	const user = "demo-user"
	ids := make([]string, count)
	for i := range ids {
		ids[i] = fmt.Sprintf("phone-%03d", i+1)
	}
	srv := koophonetest.NewServer(koophonetest.WithInstances(user, ids...))
	defer srv.Close()
	doomed := ids[len(ids)-1]
	srv.Script(doomed, koophone.PrepareQueuing, koophone.PrepareRestoring, koophone.PrepareFailed)
	fmt.Fprintf(out, "%s is scripted to fail, to show how the errors of a batch come back.\n", doomed)
	client := srv.Client()

	// PrepareInstances takes up to 100 ids a call.
	for start := 0; start < len(ids); start += 100 {
		if _, err := client.PrepareInstances(ctx, user, ids[start:min(start+100, len(ids))]); err != nil {
			fmt.Fprintln(out, err)
			return 1
		}
	}

	latest := map[string]koophone.PrepareStatus{}
	summary := ""
	progress, err := client.WaitAllReady(ctx, user, ids,
		koophone.WithPollInterval(pace, 4*pace),
		koophone.WithConcurrency(8),
		koophone.WithOnPoll(func(e koophone.PollEvent) { // calls never overlap: no lock needed
			if e.Err == nil {
				latest[e.InstanceID] = e.Progress.Status
			}
			ready, failed := 0, 0
			for _, s := range latest {
				switch s {
				case koophone.PrepareReady:
					ready++
				case koophone.PrepareFailed:
					failed++
				}
			}
			if line := fmt.Sprintf("ready %d · waiting %d · failed %d", ready, len(ids)-ready-failed, failed); line != summary {
				fmt.Fprintf(out, "[%4.1fs] %s\n", e.Elapsed.Seconds(), line)
				summary = line
			}
		}))
	fmt.Fprintf(out, "%d of %d instances answered.\n", len(progress), len(ids))
	if err == nil {
		fmt.Fprintln(out, "All instances are ready.")
		return 0
	}
	failed := koophone.InstanceErrors(err) // one per instance that did not become ready
	for _, ie := range failed {
		fmt.Fprintf(out, "%s did not become ready: %v (prepare failed: %v)\n",
			ie.InstanceID, ie.Err, errors.Is(ie, koophone.ErrPrepareFailed))
	}
	if len(failed) == 1 && failed[0].InstanceID == doomed && errors.Is(failed[0], koophone.ErrPrepareFailed) {
		fmt.Fprintf(out, "As intended: every instance is ready but %s, which failed as scripted.\n", doomed)
		return 0
	}
	return 1
}
