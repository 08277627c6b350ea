package koophone_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestAPIErrorFormatAndMatching(t *testing.T) {
	t.Parallel()
	err := &koophone.APIError{Operation: "ShowProgress", HTTPStatus: 200, Code: "koophone.api.4001", Message: "instance not exist", RequestID: "6f0"}
	assert.Equal(t, "koophone: ShowProgress: koophone.api.4001 (HTTP 200): instance not exist (request id 6f0)", err.Error())
	assert.ErrorIs(t, err, koophone.ErrInstanceNotFound, "codes compare case-insensitively")
	assert.NotErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.NotErrorIs(t, err, nil)
	assert.Equal(t, koophone.CodeInstanceNotFound, "KOOPHONE.API.4001")

	wrapped := &koophone.InstanceError{InstanceID: "i-1", Err: err}
	assert.ErrorIs(t, wrapped, koophone.ErrInstanceNotFound)
	assert.Equal(t, `koophone: instance "i-1": ShowProgress: koophone.api.4001 (HTTP 200): instance not exist (request id 6f0)`, wrapped.Error())
	var target *koophone.APIError
	require.ErrorAs(t, wrapped, &target)
	assert.Same(t, err, target)
}

// HTTP 403 and 429 match their sentinels whatever the code says; the
// code's own sentinel matches too. Other statuses defer to the code: a 401
// carries business codes in older versions of the service.
func TestGatewayStatusesMatchTheirSentinelsWhateverTheCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  *koophone.APIError
		is   []error
		isnt []error
	}{
		{&koophone.APIError{HTTPStatus: 429, Code: "KOOPHONE.API.2003"}, []error{koophone.ErrThrottled, koophone.ErrNoInstanceAvailable}, []error{koophone.ErrInternal}},
		{&koophone.APIError{HTTPStatus: 403, Code: "KOOPHONE.API.4001"}, []error{koophone.ErrPermissionDenied, koophone.ErrInstanceNotFound}, []error{koophone.ErrUnauthorized}},
		{&koophone.APIError{HTTPStatus: 401, Code: "KOOPHONE.API.4001"}, []error{koophone.ErrInstanceNotFound}, []error{koophone.ErrUnauthorized}},
		{&koophone.APIError{HTTPStatus: 401, Code: "FOO.1"}, []error{koophone.ErrUnauthorized}, nil},
		{&koophone.APIError{HTTPStatus: 429}, []error{koophone.ErrThrottled}, nil},
		{&koophone.APIError{HTTPStatus: 400, Code: "KOOPHONE.API.4001"}, []error{koophone.ErrInstanceNotFound}, []error{koophone.ErrInvalidParameter}},
		{&koophone.APIError{HTTPStatus: 500, Code: "KOOPHONE.API.1001"}, []error{koophone.ErrPermissionDenied}, []error{koophone.ErrInternal}},
	} {
		for _, target := range tc.is {
			assert.ErrorIs(t, tc.err, target, "%d %s", tc.err.HTTPStatus, tc.err.Code)
		}
		for _, target := range tc.isnt {
			assert.NotErrorIs(t, tc.err, target, "%d %s", tc.err.HTTPStatus, tc.err.Code)
		}
	}
}

func TestInstanceErrorsListsEveryOne(t *testing.T) {
	t.Parallel()
	a := &koophone.InstanceError{InstanceID: "a", Err: koophone.ErrPrepareFailed}
	b := &koophone.InstanceError{InstanceID: "b", Err: koophone.ErrWaitTimeout}
	c := &koophone.InstanceError{InstanceID: "c", Err: koophone.ErrInternal}
	err := fmt.Errorf("wrapped: %w", errors.Join(a, errors.Join(b, errors.New("other")), c))
	assert.Equal(t, []*koophone.InstanceError{a, b, c}, koophone.InstanceErrors(err))
	assert.Nil(t, koophone.InstanceErrors(errors.New("none")))
	assert.Nil(t, koophone.InstanceErrors(nil))

	j := &koophone.JobError{TaskID: "t", JobID: "j", Status: koophone.JobFailed, Code: "CPS0005", Message: "Phone not found."}
	assert.Equal(t, []*koophone.JobError{j}, koophone.JobErrors(errors.Join(errors.New("x"), j)))
	assert.ErrorIs(t, j, koophone.ErrTaskFailed)
	assert.Equal(t, `koophone: task "t" job "j" failed: CPS0005: Phone not found.`, j.Error())
}
