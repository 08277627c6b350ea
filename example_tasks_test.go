package koophone_test

import (
	"context"
	"fmt"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// WithJobs hands a wait the jobs its task started with, so that every
// result and every failed job names its instance: GetTask's answer does
// not.
func ExampleWithJobs() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	defer srv.Close()
	srv.FailJobs("phone-2", "CPS0005", "Phone not found.")
	client := srv.Client()
	ctx := context.Background()

	task, err := client.StartCommand(ctx, "uptime", []string{"phone-1", "phone-2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	jobs, err := client.WaitTask(ctx, task.ID, quickPolls, koophone.WithJobs(task.Jobs))
	for _, j := range jobs {
		fmt.Println(j.InstanceID, j.Status)
	}
	for _, je := range koophone.JobErrors(err) {
		fmt.Printf("%s: %s %s\n", je.InstanceID, je.Code, je.Message)
	}
	// Output:
	// phone-1 succeeded
	// phone-2 failed
	// phone-2: CPS0005 Phone not found.
}
