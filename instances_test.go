package koophone_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestPrepareInstances(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"data":{"status_list":[
		{"instance_id":"i-1","status":0},{"instance_id":"i-2","status":1},{"instance_id":"i-3","status":14}]},
		"error_code":"0","error_msg":"ok"}`))
	states, err := c.PrepareInstances(timeout(t), "user-1", []string{"i-1", "i-2", "i-3"})
	require.NoError(t, err)
	assert.Equal(t, []koophone.InstanceState{
		{InstanceID: "i-1", Status: koophone.InstanceReady},
		{InstanceID: "i-2", Status: koophone.InstanceToBeRestored},
		{InstanceID: "i-3", Status: koophone.InstanceStatus(14)},
	}, states)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/instances/prepare", reqs[0].Path)
	assert.Equal(t, map[string]any{"user_id": "user-1", "instance_ids": []any{"i-1", "i-2", "i-3"}}, reqs[0].Body)
}

func TestPrepareInstancesMalformedAnswers(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"data":{},"error_code":"0"}`,
		`{"data":{"status_list":[{"instance_id":"i-1"}]},"error_code":"0"}`,
		`{"data":{"status_list":{"instance_id":"i-1"}},"error_code":"0"}`,
	} {
		c, s := setup(t, always(http.StatusOK, body))
		_, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
		assert.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.ErrorContains(t, err, "BatchPrepareInstances")
		assert.Len(t, s.Requests(), 1)
	}
}

func TestPrepareInstancesRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, prepareOK))
	many := hundredAndOne()
	tests := []struct {
		user string
		ids  []string
		want string
	}{
		{"u", nil, "none given"},
		{"u", []string{}, "none given"},
		{"u", many, "101 given; at most 100"},
		{"u", []string{"a", "b", "a"}, `"a" is given twice`},
		{"u", []string{"a", strings.Repeat("b", 33)}, "instance id 1 has 33 characters"},
		{"u", []string{""}, "instance id 0 is empty"},
		{"", []string{"a"}, "user id is empty"},
		{strings.Repeat("u", 33), []string{"a"}, "user id has 33 characters"},
	}
	for _, tt := range tests {
		_, err := c.PrepareInstances(timeout(t), tt.user, tt.ids)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())
	_, err := c.PrepareInstances(timeout(t), "u", many[:100])
	require.NoError(t, err, "100 ids are allowed")
}

func TestInstanceStatusString(t *testing.T) {
	t.Parallel()
	names := []string{"ready", "to-be-restored", "to-be-assigned", "backing-up", "resetting", "restarting",
		"offline", "changing-device", "restoring-after-expiry", "restore-after-expiry-failed", "under-maintenance"}
	for i, name := range names {
		assert.Equal(t, name, koophone.InstanceStatus(i).String())
	}
	assert.Equal(t, "InstanceStatus(11)", koophone.InstanceStatus(11).String())
	assert.Equal(t, "InstanceStatus(-1)", koophone.InstanceStatus(-1).String())
	assert.Equal(t, koophone.InstanceUnderMaintenance, koophone.InstanceStatus(10))
}
