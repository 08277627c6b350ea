package koophone

import (
	"context"
	"fmt"
)

// WaitUntilReady polls [Client.PrepareProgress] until the instance is ready
// (status 0) and returns its progress. The first poll happens at once; the
// next ones back off with jitter within [WithPollInterval].
//
// It ends early:
//   - status -1: the progress and an error matching [ErrPrepareFailed];
//   - a permanent error (bad parameter, not found, no permission,
//     unauthorized): that error, at once;
//   - more transient failures in a row than [WithMaxConsecutiveErrors]: the last one;
//   - [WithMaxWait] or the context's deadline reached, or the next poll would
//     come after it, or the client's rate limit would hold the next poll
//     past it: the last progress seen and an error matching both
//     [ErrWaitTimeout] and context.DeadlineExceeded;
//   - ctx cancelled: promptly, with an error matching ctx.Err().
//
// Statuses other than 0 and -1, known or not, mean "keep waiting". No
// goroutine or timer outlives the call.
func (c *Client) WaitUntilReady(ctx context.Context, userID, instanceID string, opts ...WaitOption) (_ Progress, err error) {
	if err := checkID("user id", userID); err != nil {
		return Progress{}, err
	}
	if err := checkID("instance id", instanceID); err != nil {
		return Progress{}, err
	}
	w, err := newWaiter[Progress](ctx, instanceSubject{c, userID}, instanceWords{}, c.waitOptions(opts))
	if err != nil {
		return Progress{}, err
	}
	ctx, end := c.startWait(ctx, "WaitUntilReady", 1)
	defer func() { end(err) }()
	t := w.run(ctx, []string{instanceID})[0]
	return t.last, t.err
}

// WaitAllReady waits for many instances of one user at once, as
// [Client.WaitUntilReady] does for one: each instance is polled on its own
// backoff schedule, with at most [WithConcurrency] polls in flight, within
// the client's rate limit, and finishes independently. The wait's deadline
// ([WithMaxWait], ctx) is shared.
//
// It returns the last progress of every instance that answered at least
// once (ready, failed or still waiting), and nil when all became ready;
// otherwise errors.Join of one [*InstanceError] per instance that did not,
// in the order of instanceIDs ([InstanceErrors] lists them; past ten, the
// error's text shows ten and counts the rest). The ids must be distinct,
// valid ids (any number of them). OnPoll calls never overlap.
func (c *Client) WaitAllReady(ctx context.Context, userID string, instanceIDs []string, opts ...WaitOption) (_ map[string]Progress, err error) {
	if err := checkID("user id", userID); err != nil {
		return nil, err
	}
	if err := checkIDs(instanceIDs, 0); err != nil {
		return nil, err
	}
	w, err := newWaiter[Progress](ctx, instanceSubject{c, userID}, instanceWords{}, c.waitOptions(opts))
	if err != nil {
		return nil, err
	}
	ctx, end := c.startWait(ctx, "WaitAllReady", len(instanceIDs))
	defer func() { end(err) }()
	return lastResults(w.run(ctx, instanceIDs), func(id string, err error) error {
		return &InstanceError{InstanceID: id, Err: err}
	})
}

// instanceSubject waits for instances of one user to be ready.
type instanceSubject struct {
	c      *Client
	userID string
}

func (s instanceSubject) poll(ctx context.Context, id string, _ Progress) (Progress, error) {
	return s.c.prepareProgress(ctx, s.userID, id) // the ids were checked when the wait began
}

func (instanceSubject) judge(_ string, p Progress) (bool, error) {
	switch p.Status {
	case PrepareReady:
		return true, nil
	case PrepareFailed:
		return true, &waitEndError{kind: ErrPrepareFailed, msg: "preparing the instance failed (status -1)", requestID: p.RequestID}
	}
	return false, nil
}

// instanceWords is how a wait for instances speaks of them.
type instanceWords struct{}

func (instanceWords) waitingFor(string) string { return "the instance to be ready" }

func (instanceWords) describe(p Progress) (string, string) {
	return fmt.Sprintf("last status %s (waitingCount %d)", p.Status, p.WaitingCount), p.RequestID
}

func (instanceWords) event(ev *PollEvent, id string, p Progress) {
	ev.InstanceID, ev.Progress = id, p
}
