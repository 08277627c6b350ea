package koophone_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// idCall is one operation whose answer carries an id, with the body that
// puts id in it, and a function that calls it and returns the ids it got.
type idCall struct {
	name  string
	reads bool // retried on a malformed answer
	body  func(id string) string
	call  func(ctx context.Context, c *koophone.Client) ([]string, error)
}

// quote is id as a JSON string.
func quote(id string) string {
	b, _ := json.Marshal(id)
	return string(b)
}

var idCalls = []idCall{
	{"PrepareInstances", false,
		func(id string) string {
			return `{"error_code":"0","data":{"status_list":[{"instance_id":` + quote(id) + `,"status":0}]}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			s, err := c.PrepareInstances(ctx, "u", []string{"i-1"})
			return ids(s, func(s koophone.InstanceState) string { return s.InstanceID }), err
		}},
	{"BatchQueryStatus", true,
		func(id string) string {
			return `{"error_code":"0","data":{"status_results":[{"instance_id":` + quote(id) + `,"status":2}]}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			s, err := c.BatchQueryStatus(ctx, []string{"i-1"})
			return ids(s, func(s koophone.StatusResult) string { return s.InstanceID }), err
		}},
	{"ListInstancesPage", true,
		func(id string) string {
			return `{"data":{"error_code":"0","result":[{"instance_id":` + quote(id) + `}],"total_count":1}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			p, err := c.ListInstancesPage(ctx, 1, nil)
			if err != nil {
				return nil, err
			}
			return ids(p.Instances, func(i koophone.Instance) string { return i.InstanceID }), nil
		}},
	{"RunCommand", false,
		func(id string) string {
			return `{"error_code":"0","data":{"cmd_results":[{"instance_id":` + quote(id) + `,"status":2}]}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			r, err := c.RunCommand(ctx, "ls", []string{"i-1"})
			return ids(r, func(r koophone.CommandResult) string { return r.InstanceID }), err
		}},
	{"StartCommand task_id", false,
		func(id string) string { return `{"error_code":"0","data":{"task_id":` + quote(id) + `}}` },
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			task, err := c.StartCommand(ctx, "ls", []string{"i-1"})
			if err != nil {
				return nil, err
			}
			return []string{task.ID}, nil
		}},
	{"StartCommand cmd_jobs", false,
		func(id string) string {
			return `{"error_code":"0","data":{"task_id":"T1","cmd_jobs":[{"instance_id":"i-1","job_id":` + quote(id) + `}]}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			task, err := c.StartCommand(ctx, "ls", []string{"i-1"})
			if err != nil {
				return nil, err
			}
			return []string{task.Jobs[0].JobID}, nil
		}},
	{"UnassignInstances task_id in data.data", false, // as older InstallApp answers have it
		func(id string) string { return `{"error_code":"0","data":{"data":{"task_id":` + quote(id) + `}}}` },
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			task, err := c.UnassignInstances(ctx, []koophone.UserInstance{{UserID: "u", InstanceID: "i-1"}})
			if err != nil {
				return nil, err
			}
			return []string{task.ID}, nil
		}},
	{"GetTask", true,
		func(id string) string {
			return `{"error_code":"0","data":{"jobs":[{"job_id":` + quote(id) + `,"instance_id":` + quote(id) + `,"status":2}]}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			jobs, err := c.GetTask(ctx, "T1")
			return ids(jobs, func(j koophone.JobResult) string { return j.JobID }), err
		}},
	{"CreateInstances", false,
		func(id string) string {
			return `{"error_code":"0","data":{"orderId":"o","instanceInfos":[{"instanceId":` + quote(id) + `}]}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			o, err := c.CreateInstances(ctx, koophone.CreateInstancesRequest{OS: "AOSP11", SKUID: "s", BandSKUID: "b",
				RegionID: "r", NamePrefix: "p", BandwidthMbps: 1, Count: 1, Charge: koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 1}})
			if err != nil {
				return nil, err
			}
			return ids(o.Instances, func(i koophone.CreatedInstance) string { return i.InstanceID }), nil
		}},
	{"CreateInstances orderId", false,
		func(id string) string { return `{"error_code":"0","data":{"orderId":` + quote(id) + `}}` },
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			o, err := c.CreateInstances(ctx, createRequest())
			if err != nil {
				return nil, err
			}
			return []string{o.OrderID}, nil
		}},
	{"ListSKUs ids", true, // what CreateInstances takes: a changed one buys another SKU
		func(id string) string {
			return `{"error_code":"0","data":{"bandInfo":{"cbcSkuId":` + quote(id) + `},"skuSpecResponseList":[{"regionId":` + quote(id) +
				`,"skuResponses":[{"cbcSkuId":` + quote(id) + `,"poolInfo":{"aosp":[{"resPoolId":` + quote(id) + `}]}}]}]}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			cat, err := c.ListSKUs(ctx)
			if err != nil {
				return nil, err
			}
			sku := cat.Regions[0].SKUs[0]
			return []string{cat.BandSKUID, cat.Regions[0].RegionID, sku.ID, sku.Images[0].PoolID}, nil
		}},
	{"ListInstancesPage assign_user", true, // what UnassignInstances takes
		func(id string) string {
			return `{"data":{"error_code":"0","result":[{"instance_id":"i-1","assign_user":` + quote(id) + `}],"total_count":1}}`
		},
		func(ctx context.Context, c *koophone.Client) ([]string, error) {
			p, err := c.ListInstancesPage(ctx, 1, nil)
			if err != nil {
				return nil, err
			}
			return []string{p.Instances[0].AssignedUser}, nil
		}},
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = id(item)
	}
	return out
}

// named are the idCalls whose answer's id is an instance the call names
// (always i-1): any other is refused (TestAnswersNameOnlyTheInstancesTheCallNamed).
var named = map[string]bool{"PrepareInstances": true, "BatchQueryStatus": true, "RunCommand": true}

// TestAnswerIDsAreKeptExactly: an id the service sends comes back exactly
// as sent, however long (up to 128 bytes) or unusual, never cut or cleaned.
func TestAnswerIDsAreKeptExactly(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"T-1", strings.Repeat("t", 128), " spaced id ", "实例…1", "a/b"} {
		for _, tc := range idCalls {
			if named[tc.name] {
				continue // the id must be i-1, the one asked
			}
			c, _ := setup(t, always(http.StatusOK, tc.body(id)))
			got, err := tc.call(timeout(t), c)
			require.NoError(t, err, "%s %q", tc.name, id)
			for _, g := range got {
				assert.Contains(t, []string{id, id + "|" + id}, g, "%s: the id is kept as sent", tc.name)
			}
		}
	}
}

// TestAnswerIDsThatCannotBeKeptAreMalformed: an id that would have to
// change to be safe makes the answer malformed, and a read is retried.
func TestAnswerIDsThatCannotBeKeptAreMalformed(t *testing.T) {
	t.Parallel()
	for id, why := range map[string]string{
		strings.Repeat("t", 129): "129 bytes",
		"T\u200b1":               "U+200B",
		"\u200b\u200c":           "U+200B",
		"i-1\u202e\u001b[2Jx":    "U+202E",
		"i-2\r\nready":           "U+000D",
		"   ":                    "only white space",
		"..":                     `".."`,
	} {
		for _, tc := range idCalls {
			c, s := setup(t, always(http.StatusOK, tc.body(id)))
			_, err := tc.call(timeout(t), c)
			require.ErrorIs(t, err, koophone.ErrMalformedResponse, "%s %q", tc.name, id)
			assert.ErrorContains(t, err, why, tc.name)
			attempts := 1
			if tc.reads {
				attempts = 1 + fastRetries.MaxRetries
			}
			assert.Len(t, s.Requests(), attempts, "%s: retried like a broken envelope when a read", tc.name)
		}
	}
}

// TestMissingIDsAreMalformed: an instance without an id, a job without a
// job_id; a task, a GetTask job and a created instance may come without one.
func TestMissingIDsAreMalformed(t *testing.T) {
	t.Parallel()
	for _, tc := range idCalls {
		c, _ := setup(t, always(http.StatusOK, tc.body("")))
		got, err := tc.call(timeout(t), c)
		switch tc.name {
		case "StartCommand task_id", "UnassignInstances task_id in data.data", "CreateInstances", "CreateInstances orderId",
			"ListSKUs ids", "ListInstancesPage assign_user":
			require.NoError(t, err, tc.name)
			require.NotEmpty(t, got, tc.name)
			for _, g := range got {
				assert.Empty(t, g, tc.name)
			}
		default:
			assert.ErrorIs(t, err, koophone.ErrMalformedResponse, tc.name)
			assert.ErrorContains(t, err, "is missing or empty", tc.name)
		}
	}
}

// TestAnswersNameOnlyTheInstancesTheCallNamed: an answer's entry for an
// instance the call did not name, or a second entry for one that has one
// entry only (a status, a command's result), would read one instance's
// result as another's: the answer is malformed, and a read is retried. An
// id named is kept exactly as sent, and compared exactly.
func TestAnswersNameOnlyTheInstancesTheCallNamed(t *testing.T) {
	t.Parallel()
	for _, tc := range idCalls {
		if !named[tc.name] {
			continue
		}
		c, _ := setup(t, always(http.StatusOK, tc.body("i-1")))
		got, err := tc.call(timeout(t), c)
		require.NoError(t, err, tc.name)
		assert.Equal(t, []string{"i-1"}, got, tc.name)
		for _, id := range []string{"i-2", "I-1", "i-1 ", "i-10"} {
			c, s := setup(t, always(http.StatusOK, tc.body(id)))
			_, err := tc.call(timeout(t), c)
			require.ErrorIs(t, err, koophone.ErrMalformedResponse, "%s %q", tc.name, id)
			assert.ErrorContains(t, err, "is not an instance the call named", tc.name)
			attempts := 1
			if tc.reads {
				attempts = retried
			}
			assert.Len(t, s.Requests(), attempts, "%s: retried like a broken envelope when a read", tc.name)
		}
	}
}

// Two entries for one instance (two statuses, two results) are malformed.
func TestAnswersNamingAnInstanceTwiceAreMalformed(t *testing.T) {
	t.Parallel()
	twice := map[string]func(context.Context, *koophone.Client) error{
		`{"error_code":"0","data":{"status_list":[{"instance_id":"i-1","status":-1},{"instance_id":"i-1","status":0}]}}`: func(ctx context.Context, c *koophone.Client) error {
			_, err := c.PrepareInstances(ctx, "u", []string{"i-1", "i-2"})
			return err
		},
		`{"error_code":"0","data":{"status_results":[{"instance_id":"i-2","status":2},{"instance_id":"i-2","status":1}]}}`: func(ctx context.Context, c *koophone.Client) error {
			_, err := c.BatchQueryStatus(ctx, []string{"i-1", "i-2"})
			return err
		},
		`{"error_code":"0","data":{"cmd_results":[{"instance_id":"i-1","status":-1},{"instance_id":"i-1","status":2}]}}`: func(ctx context.Context, c *koophone.Client) error {
			_, err := c.RunCommand(ctx, "ls", []string{"i-1", "i-2"})
			return err
		},
	}
	for body, call := range twice {
		c, _ := setup(t, always(http.StatusOK, body))
		err := call(timeout(t), c)
		require.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.ErrorContains(t, err, "names an instance an earlier entry names", body)
	}
}

// A task's jobs are each on an instance the call named; one instance may
// have two.
func TestTaskJobsNameOnlyTheInstancesTheCallNamed(t *testing.T) {
	t.Parallel()
	tasks := map[string]func(context.Context, *koophone.Client) (*koophone.Task, error){
		"ResetInstances": func(ctx context.Context, c *koophone.Client) (*koophone.Task, error) {
			return c.ResetInstances(ctx, []string{"i-1", "i-2"})
		},
		"BackupInstances": func(ctx context.Context, c *koophone.Client) (*koophone.Task, error) {
			return c.BackupInstances(ctx, []string{"i-1", "i-2"})
		},
		"StartCommand": func(ctx context.Context, c *koophone.Client) (*koophone.Task, error) {
			return c.StartCommand(ctx, "ls", []string{"i-1", "i-2"})
		},
		"UnassignInstances": func(ctx context.Context, c *koophone.Client) (*koophone.Task, error) {
			return c.UnassignInstances(ctx, []koophone.UserInstance{{UserID: "u", InstanceID: "i-1"}, {UserID: "u", InstanceID: "i-2"}})
		},
		"InstallApp": func(ctx context.Context, c *koophone.Client) (*koophone.Task, error) {
			req := validInstall()
			req.InstanceIDs = []string{"i-1", "i-2"}
			return c.InstallApp(ctx, req)
		},
	}
	for name, start := range tasks {
		c, _ := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"task_id":"T","cmd_jobs":[{"instance_id":"i-2","job_id":"j1"},{"instance_id":"i-2","job_id":"j2"}]}}`))
		task, err := start(timeout(t), c)
		require.NoError(t, err, name)
		assert.Len(t, task.Jobs, 2, name)
		for _, at := range []string{`{"error_code":"0","data":{"task_id":"T","cmd_jobs":[{"instance_id":"i-3","job_id":"j1"}]}}`,
			`{"error_code":"0","data":{"data":{"task_id":"T","cmd_jobs":[{"instance_id":"i-3","job_id":"j1"}]}}}`} {
			c, s := setup(t, always(http.StatusOK, at))
			task, err := start(timeout(t), c)
			require.ErrorIs(t, err, koophone.ErrMalformedResponse, name)
			assert.ErrorContains(t, err, `cmd_jobs[0].instance_id "i-3" is not an instance the call named`, name)
			assert.Nil(t, task, name)
			assert.Len(t, s.Requests(), 1, "%s: a write is not repeated", name)
		}
	}
}
