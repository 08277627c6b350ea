package koophone_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

var twoPairs = []koophone.UserInstance{{UserID: "u-1", InstanceID: "i-1"}, {UserID: "u-2", InstanceID: "i-2"}}

const twoPairsJSON = `{"user_instances":[{"user_id":"u-1","instance_id":"i-1"},{"user_id":"u-2","instance_id":"i-2"}]}`

func TestAssignInstancesWireFormat(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"ok"}`))
	require.NoError(t, c.AssignInstances(timeout(t), twoPairs))
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances/assign", reqs[0].Path)
	assert.JSONEq(t, twoPairsJSON, string(reqs[0].Raw))
}

func TestUnassignInstancesWireFormatAndTask(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"ok","data":{"task_id":"task-9",
		"cmd_jobs":[{"instance_id":"i-1","job_id":"j-1"},{"instance_id":"i-2","job_id":"j-2"}]}}`))
	task, err := c.UnassignInstances(timeout(t), twoPairs)
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances/unassign", reqs[0].Path)
	assert.JSONEq(t, twoPairsJSON, string(reqs[0].Raw))
	assert.Equal(t, &koophone.Task{ID: "task-9", Jobs: []koophone.Job{
		{InstanceID: "i-1", JobID: "j-1"}, {InstanceID: "i-2", JobID: "j-2"},
	}, RequestID: reqs[0].Header.Get("X-Request-Id")}, task)
}

func TestUnassignInstancesWithoutData(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"error_code":"0","error_msg":"ok"}`, `{"error_code":"0","data":null}`, `{"error_code":"0","data":{}}`} {
		c, s := setup(t, always(http.StatusOK, body))
		task, err := c.UnassignInstances(timeout(t), twoPairs[:1])
		require.NoError(t, err, body)
		assert.Equal(t, &koophone.Task{RequestID: s.Requests()[0].Header.Get("X-Request-Id")}, task, body)
	}
}

func TestAssignmentsRejectBadPairs(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0"}`))
	many := make([]koophone.UserInstance, 101)
	for i := range many {
		many[i] = koophone.UserInstance{UserID: "u", InstanceID: fmt.Sprintf("i-%d", i)}
	}
	tests := []struct {
		pairs []koophone.UserInstance
		want  string
	}{
		{nil, "user-instance pairs: none given"},
		{many, "101 given; at most 100"},
		{[]koophone.UserInstance{{UserID: "u-1", InstanceID: "i-1"}, {UserID: "u-2", InstanceID: "i-1"}}, `pair 1: instance "i-1" is given twice`},
		{[]koophone.UserInstance{{UserID: "", InstanceID: "i-1"}}, "pair 0: user id is empty"},
		{[]koophone.UserInstance{{UserID: "u", InstanceID: "i-1"}, {UserID: "u", InstanceID: strings.Repeat("i", 33)}}, "pair 1: instance id has 33 characters"},
		{[]koophone.UserInstance{{UserID: strings.Repeat("u", 33), InstanceID: "i"}}, "pair 0: user id has 33 characters"},
		{[]koophone.UserInstance{{UserID: "u", InstanceID: "i\x00"}}, "pair 0: instance id"},
	}
	for _, tt := range tests {
		err := c.AssignInstances(timeout(t), tt.pairs)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
		_, err = c.UnassignInstances(timeout(t), tt.pairs)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())
	require.NoError(t, c.AssignInstances(timeout(t), many[:100]), "100 pairs, one user for many instances")
}

func TestAssignmentErrorCodes(t *testing.T) {
	t.Parallel()
	assign := func(ctx context.Context, c *koophone.Client) error { return c.AssignInstances(ctx, twoPairs) }
	unassign := func(ctx context.Context, c *koophone.Client) error {
		_, err := c.UnassignInstances(ctx, twoPairs)
		return err
	}
	common := []codeCase{
		{koophone.CodeInvalidParameter, koophone.ErrInvalidParameter},
		{koophone.CodePermissionDenied, koophone.ErrPermissionDenied},
		{koophone.CodeInstanceNotFound, koophone.ErrInstanceNotFound},
		{koophone.CodeInternal, koophone.ErrInternal},
	}
	assertCodes(t, topLevel, assign, append([]codeCase{
		{koophone.CodeNoAssignableDevice, koophone.ErrNoInstanceAvailable},
		{"kpapi.2209", koophone.ErrNoInstanceAvailable},
		{koophone.CodeNoIdleInstance, koophone.ErrNoInstanceAvailable},
		{koophone.CodeInstanceFrozen, koophone.ErrOperationNotAllowed},
	}, common...))
	assertCodes(t, topLevel, unassign, append([]codeCase{
		{koophone.CodeBindingNotFound, koophone.ErrNotAssigned},
		{koophone.CodeInstanceBackingUp, koophone.ErrOperationNotAllowed},
	}, common...))
}

func TestAssignmentsFollowTheWriteRule(t *testing.T) {
	t.Parallel()
	for name, call := range map[string]func(context.Context, *koophone.Client) error{
		"assign": func(ctx context.Context, c *koophone.Client) error { return c.AssignInstances(ctx, twoPairs) },
		"unassign": func(ctx context.Context, c *koophone.Client) error {
			_, err := c.UnassignInstances(ctx, twoPairs)
			return err
		},
	} {
		c, s := setup(t, always(http.StatusInternalServerError, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal"}`))
		assert.ErrorIs(t, call(timeout(t), c), koophone.ErrInternal, name)
		assert.Len(t, s.Requests(), 1, "%s: not retried after a 5xx", name)

		c, s = setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"throttled"}`)
				return
			}
			answer(w, http.StatusOK, `{"error_code":"0"}`)
		})
		require.NoError(t, call(timeout(t), c), name)
		assert.Len(t, s.Requests(), 2, "%s: retried after a 429", name)
	}
}
