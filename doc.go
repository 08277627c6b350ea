// Package koophone is a client for Huawei Cloud's KooPhone (CloudDevice)
// cloud-phone API, all 21 operations: prepare instances for a user and wait
// until they are ready to stream; list, buy, assign, reset, back up and
// run commands on a fleet and wait for the tasks they start; handle every
// failure as a typed error.
//
// # Quick start
//
//	client, err := koophone.NewClient(koophone.WithToken(token))
//	if err != nil {
//		return err
//	}
//	if _, err := client.PrepareInstances(ctx, userID, []string{instanceID}); err != nil {
//		return err
//	}
//	p, err := client.WaitUntilReady(ctx, userID, instanceID)
//	if err != nil {
//		return err // ErrPrepareFailed, ErrWaitTimeout, an *APIError, ...
//	}
//	fmt.Println("ready:", p.Status)
//
// A [Client] is safe for concurrent use; create one and share it. After
// the wait, [Client.GetDeviceToken] gives a streaming client what it needs,
// and [Client.StopStreaming] and [Client.ReleaseSession] end the session;
// [Client.BatchQueryStatus] reports the status of many instances.
//
// # Managing a fleet
//
// Every one of the service's 21 operations is a method. Method names say
// what they do in Go terms, plural when they take a batch; the API
// reference's name is in [APIError].Operation and the README maps one to
// the other. Listings are iterators that fetch pages as the loop asks:
//
//	for inst, err := range client.ListInstances(ctx, &koophone.ListInstancesOptions{Scene: koophone.SceneCloudPhone}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(inst.InstanceID, inst.Power, inst.AssignedUser)
//	}
//
// [Client.ListSKUs] shows what can be bought and [Client.CreateInstances]
// buys it (never repeated once it may have reached the service);
// [Client.AssignInstances] gives instances to users. Resets, backups,
// asynchronous commands, app installs and unassignments start a [Task]:
//
//	task, err := client.StartCommand(ctx, "getprop ro.build.version.release", ids)
//	if err != nil {
//		return err
//	}
//	jobs, err := client.WaitTask(ctx, task.ID, koophone.WithJobs(task.Jobs))
//	for _, je := range koophone.JobErrors(err) {
//		log.Printf("job %s on %s failed: %s", je.JobID, je.InstanceID, je.Code)
//	}
//	_ = jobs // each job's status and output
//
// # Authentication
//
// Every request carries credentials for the endpoint's host only: a static
// IAM token ([WithToken]); a [TokenSource] asked on every attempt
// ([WithTokenSource]), such as the caching, self-renewing one from
// [NewIAMTokenSource]; or an AK/SK signature computed afresh for every
// attempt ([WithAKSK], [WithTemporaryAKSK]). [WithEnvCredentials] picks one
// from the environment. Redirects are never followed, and credentials are
// never sent over plain http to a host that is not loopback unless
// [WithInsecureHTTP] is given. Tokens, secret keys and passwords never
// appear in errors, logs or fmt output.
//
// # Errors
//
// Arguments are checked before any I/O: a bad one gives an error matching
// [ErrInvalidParameter] and sends nothing. Every answer that is not a
// success is an [*APIError] with the operation, HTTP status, code
// (KOOPHONE.API.* or APIGW.*), message and request id, also for business
// errors sent with HTTP 200 and for HTML error pages. Test categories with
// errors.Is:
//
//	var apiErr *koophone.APIError
//	switch {
//	case errors.Is(err, koophone.ErrInstanceNotFound):
//	case errors.Is(err, koophone.ErrThrottled):
//	case errors.As(err, &apiErr):
//		log.Printf("code %s, request id %s", apiErr.Code, apiErr.RequestID)
//	}
//
// # Retries
//
// Reads are retried on transient failures (network errors, HTTP 429, a
// 5xx without a business code of the service, KOOPHONE.API.9999, a body
// that cannot be decoded) with exponential backoff and jitter, honouring Retry-After up
// to [RetryPolicy].MaxBackoff. Writes such as [Client.PrepareInstances] are
// retried only where the service cannot have acted on them: after HTTP 429,
// whatever its error code says (not another status with APIGW.0308), an
// HTTP/2 REFUSED_STREAM or a GOAWAY
// below the request's stream, or when the connection failed before the
// request was written; each attempt puts a write on the wire at most once,
// whatever the transport would re-send by itself. Every retry of a call
// keeps its X-Request-Id. See [WithRetryPolicy],
// [WithRequestTimeout] and [WithRateLimit].
//
// # Waiting
//
// [Client.WaitUntilReady] polls ShowProgress at once and then with jittered
// backoff ([WithPollInterval]) until the instance is ready, has failed
// ([ErrPrepareFailed]) or time runs out ([ErrWaitTimeout], which also
// matches context.DeadlineExceeded). [Client.WaitAllReady] does the same for
// many instances with one scheduler and a bounded number of polls in flight
// ([WithConcurrency]). [WithOnPoll] reports every poll, never two at once.
// [Client.WaitTask] and [Client.WaitTasks] wait for the tasks that resets,
// backups, commands and app installs start, on the same poller; failed
// jobs come back as [*JobError] values, listed by [JobErrors], as [InstanceErrors]
// lists the instances of WaitAllReady that did not become ready. [WithJobs]
// hands them the task's jobs, so that each result and error names its
// instance.
//
// # Testing
//
// Package koophonetest provides a fake KooPhone service to test code that
// uses this package: it checks requests as the service does, moves
// instances through the preparation timeline, and injects faults on demand.
package koophone
