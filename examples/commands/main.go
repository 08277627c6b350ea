// Command commands starts a shell command on several cloud phones, waits
// for the task that runs it, and prints what the command printed on each.
//
// With no environment set it runs against an in-process fake KooPhone
// service (package koophonetest), which echoes the command as its output:
// no credentials, no network. There, KOOPHONE_DEMO_FAIL=demo-phone-2 makes
// that instance's job fail, to show how failed jobs come back.
//
// With KOOPHONE_USER_ID set it talks to the real service, on the instances
// KOOPHONE_INSTANCE_ID lists (comma-separated), with credentials from the
// environment (see examples/internal/demo). KOOPHONE_COMMAND gives the
// command in both cases (default "getprop ro.build.version.release").
//
// It exits 0 when the command succeeded everywhere, 1 when a job failed or
// the call or the wait did, and 2 for a bad setting.
//
//	go run ./examples/commands
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/examples/internal/demo"
	"github.com/koophone-go/koophone/koophonetest"
)

const defaultCommand = "getprop ro.build.version.release"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Stdout, os.Getenv, 400*time.Millisecond))
}

// run does the example and returns the exit code. pace scales the fake
// service's jobs and the polling, so that tests can run it quickly.
func run(ctx context.Context, out io.Writer, getenv func(string) string, pace time.Duration) int {
	command := getenv("KOOPHONE_COMMAND")
	if command == "" {
		command = defaultCommand
	}
	env, err := demo.Open(getenv, "demo-user", []string{"demo-phone-1", "demo-phone-2", "demo-phone-3"}, pace,
		koophonetest.WithTaskDuration(3*pace))
	if err != nil {
		fmt.Fprintln(out, err)
		return 2
	}
	defer env.Close()
	if id := getenv("KOOPHONE_DEMO_FAIL"); id != "" && env.Fake != nil {
		env.Fake.FailJobs(id, "CPS0005", "Phone not found.")
	}
	fmt.Fprintln(out, env.Describe())
	wait := append(env.PollInterval(), koophone.WithMaxWait(10*time.Minute))
	return startAndWait(ctx, out, env.Client, command, env.InstanceIDs, wait)
}

// startAndWait starts command on instanceIDs, waits for its task, prints
// each job's outcome and returns the exit code.
func startAndWait(ctx context.Context, out io.Writer, client *koophone.Client, command string, instanceIDs []string, wait []koophone.WaitOption) int {
	fmt.Fprintf(out, "Starting %q on %d instances...\n", command, len(instanceIDs))
	task, err := client.StartCommand(ctx, command, instanceIDs)
	if err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	fmt.Fprintf(out, "Task %s: %d jobs.\n", task.ID, len(task.Jobs))
	lastLine := ""
	wait = append(wait, koophone.WithOnPoll(func(e koophone.PollEvent) {
		line := summary(e.Jobs)
		if e.Err != nil {
			line = fmt.Sprintf("poll %d failed: %v", e.Attempt, e.Err)
		}
		if line != lastLine { // print changes only
			fmt.Fprintf(out, "  [%5.1fs] %s\n", e.Elapsed.Seconds(), line)
			lastLine = line
		}
	}))
	// WithJobs: GetTask's answer does not say which instance a job runs on;
	// the jobs the task started with do, and the wait names it in every
	// result and every failed job's error.
	wait = append(wait, koophone.WithJobs(task.Jobs))
	jobs, err := client.WaitTask(ctx, task.ID, wait...)
	printJobs(out, jobs)
	switch {
	case err == nil:
		fmt.Fprintln(out, "The command succeeded on every instance.")
		return 0
	case errors.Is(err, koophone.ErrTaskFailed):
		failed := koophone.JobErrors(err)
		fmt.Fprintf(out, "The command failed on %d of %d instances:\n", len(failed), len(task.Jobs))
		for _, je := range failed {
			fmt.Fprintf(out, "  %s\n", je.InstanceID)
		}
	case errors.Is(err, koophone.ErrWaitTimeout):
		fmt.Fprintln(out, "Gave up waiting for the task.")
	default:
		fmt.Fprintln(out, err)
	}
	return 1
}

// summary counts the jobs by status: "3 jobs: 2 running, 1 succeeded".
func summary(jobs []koophone.JobResult) string {
	var counts []string
	seen := map[koophone.JobStatus]int{}
	var order []koophone.JobStatus
	for _, j := range jobs {
		if seen[j.Status] == 0 {
			order = append(order, j.Status)
		}
		seen[j.Status]++
	}
	for _, s := range order {
		counts = append(counts, fmt.Sprintf("%d %s", seen[s], s))
	}
	if len(counts) == 0 {
		return "no jobs listed yet"
	}
	return fmt.Sprintf("%d jobs: %s", len(jobs), strings.Join(counts, ", "))
}

// printJobs prints each job's instance, status and output (or error), in
// the order of the results.
func printJobs(out io.Writer, jobs []koophone.JobResult) {
	for _, j := range jobs {
		where := j.InstanceID
		if where == "" { // neither GetTask nor the task's jobs named it
			where = "job " + j.JobID
		}
		fmt.Fprintf(out, "%s: %s\n", where, j.Status)
		if j.Code != "" || j.Message != "" {
			fmt.Fprintf(out, "  error: %s %s\n", j.Code, j.Message)
		}
		for _, line := range strings.Split(strings.TrimRight(j.Output, "\n"), "\n") {
			if line != "" {
				fmt.Fprintf(out, "  | %s\n", line)
			}
		}
	}
}
