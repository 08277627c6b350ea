package koophone_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// quickPolls makes the examples' task waits poll every few milliseconds;
// the default is 1s..15s.
var quickPolls = koophone.WithPollInterval(time.Millisecond, 10*time.Millisecond)

// printJobs prints each job's instance and status, in the order of task.Jobs.
func printJobs(task *koophone.Task, jobs []koophone.JobResult) {
	status := make(map[string]koophone.JobStatus, len(jobs))
	for _, j := range jobs {
		status[j.JobID] = j.Status
	}
	for _, j := range task.Jobs {
		fmt.Println(j.InstanceID, status[j.JobID])
	}
}

func ExampleClient_ResetInstances() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	task, err := client.ResetInstances(ctx, []string{"phone-1", "phone-2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	jobs, err := client.WaitTask(ctx, task.ID, quickPolls)
	if err != nil {
		fmt.Println(err)
		return
	}
	printJobs(task, jobs)
	// Output:
	// phone-1 succeeded
	// phone-2 succeeded
}

func ExampleClient_RebootInstances() {
	srv := koophonetest.NewServer(
		koophonetest.WithInstances("user-1", "phone-1"),
		koophonetest.WithInstance(koophonetest.Instance{ID: "phone-2", User: "user-1", RunningStatus: 1}), // stopped
	)
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	fmt.Println(client.RebootInstances(ctx, []string{"phone-1"}))

	err := client.RebootInstances(ctx, []string{"phone-1", "phone-2"})
	var apiErr *koophone.APIError
	if errors.As(err, &apiErr) && apiErr.Code == koophone.CodeInstancesNotRunning {
		fmt.Println("not all running:", errors.Is(err, koophone.ErrOperationNotAllowed))
	}
	// Output:
	// <nil>
	// not all running: true
}

func ExampleClient_BackupInstances() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	task, err := client.BackupInstances(ctx, []string{"phone-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("jobs:", len(task.Jobs))
	if _, err := client.WaitTask(ctx, task.ID, quickPolls); err != nil {
		fmt.Println("backup failed:", err)
		return
	}
	in, _ := srv.Instance("phone-1") // what the fake now reports for it
	fmt.Println("backup_status:", in.BackupStatus, "(2: succeeded)")
	// Output:
	// jobs: 1
	// backup_status: 2 (2: succeeded)
}

func ExampleClient_RunCommand() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	defer srv.Close()
	srv.FailJobs("phone-2", "CPS0005", "Phone not found.")
	client := srv.Client()

	// The fake echoes the command as its output.
	results, err := client.RunCommand(context.Background(), "echo hello", []string{"phone-1", "phone-2"})
	if err != nil { // failed commands are not an error: their results say so
		fmt.Println(err)
		return
	}
	for _, r := range results {
		if r.Status == koophone.JobSucceeded {
			fmt.Printf("%s: %s\n", r.InstanceID, r.Output)
		} else {
			fmt.Printf("%s: %s: %s %s\n", r.InstanceID, r.Status, r.Code, r.Message)
		}
	}
	// Output:
	// phone-1: echo hello
	// phone-2: failed: CPS0005 Phone not found.
}

func ExampleClient_StartCommand() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1", "phone-2", "phone-3"))
	defer srv.Close()
	srv.FailJobs("phone-3", "CPS0005", "Phone not found.")
	client := srv.Client()
	ctx := context.Background()

	task, err := client.StartCommand(ctx, "pm list packages", []string{"phone-1", "phone-2", "phone-3"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// WithJobs: each result and error names its job's instance.
	jobs, err := client.WaitTask(ctx, task.ID, quickPolls, koophone.WithMaxWait(time.Minute), koophone.WithJobs(task.Jobs))
	printJobs(task, jobs)
	fmt.Println("output of the first job:", jobs[0].InstanceID, jobs[0].Output)
	for _, je := range koophone.JobErrors(err) { // every job that failed
		fmt.Println("failed:", je.InstanceID, je.Code, je.Message)
	}
	// Output:
	// phone-1 succeeded
	// phone-2 succeeded
	// phone-3 failed
	// output of the first job: phone-1 pm list packages
	// failed: phone-3 CPS0005 Phone not found.
}

func ExampleClient_GetTask() {
	srv := koophonetest.NewServer(
		koophonetest.WithInstances("user-1", "phone-1"),
		koophonetest.WithTaskDuration(time.Hour), // the fake's jobs run for an hour
	)
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	task, err := client.StartCommand(ctx, "ls /sdcard", []string{"phone-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	jobs, err := client.GetTask(ctx, task.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(jobs[0].JobID == task.Jobs[0].JobID, jobs[0].Status, jobs[0].Status.Terminal())

	_, err = client.GetTask(ctx, "ZGCA-no-such-task")
	fmt.Println(errors.Is(err, koophone.ErrTaskNotFound))
	// Output:
	// true running false
	// true
}

func ExampleVideoSettingsForAll() {
	settings := koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup())
	settings[3].Specs[0].P1080 = koophone.VideoSpec{BitrateKbps: 8000, FPS: 60} // WIFI, H265
	for _, s := range settings {
		fmt.Println(s.Network, s.Encoding, s.Specs[0].P1080)
	}
	// Output:
	// MOBILE_NETWORK H264 {6000 30}
	// MOBILE_NETWORK H265 {6000 30}
	// WIFI H264 {6000 30}
	// WIFI H265 {8000 60}
	// WIRED H264 {6000 30}
	// WIRED H265 {6000 30}
}

func ExampleClient_SetVideoConfig() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	ids := []string{"phone-1", "phone-2"}

	settings := koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup())
	fmt.Println(client.SetVideoConfig(ctx, ids, settings))

	// All six network × encoding combinations are required.
	fmt.Println(client.SetVideoConfig(ctx, ids, settings[:4]))
	// Output:
	// <nil>
	// koophone: invalid parameter: video settings: missing WIRED/H264, WIRED/H265 (all six network × encoding combinations are required)
}

func ExampleClient_InstallApp() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	task, err := client.InstallApp(ctx, koophone.InstallAppRequest{
		InstanceIDs: []string{"phone-1", "phone-2"},
		PackageName: "com.example.app",
		FileName:    "example.apk",
		Version:     "1.0.0",
		SizeMB:      12.5,
		PackageURL:  "https://my-bucket.obs.cn-north-4.myhuaweicloud.com/apps/example.apk",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	jobs, err := client.WaitTask(ctx, task.ID, quickPolls)
	if err != nil {
		fmt.Println(err)
		return
	}
	printJobs(task, jobs)
	// Output:
	// phone-1 succeeded
	// phone-2 succeeded
}
