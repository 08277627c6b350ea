package koophone_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// A server that echoes the token in a failed job's error_msg must not get
// it into the error WaitTask returns: "Tokens ... never appear in errors
// ... even when a server echoes them" (README, Security).
func TestAttackEchoedTokenInJobErrorIsScrubbed(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(200, `{"error_code":"0","error_msg":"ok","data":{"jobs":[`+
		`{"job_id":"j1","status":-1,"error_code":"CPS0005","error_msg":"auth failed for X-Auth-Token `+testToken+`"}]}}`))
	_, err := c.WaitTask(timeout(t), "CMD_1", koophone.WithMaxWait(time.Second))
	require.ErrorIs(t, err, koophone.ErrTaskFailed)
	assert.NotContains(t, err.Error(), testToken, "the echoed token reaches the error")
	for _, je := range koophone.JobErrors(err) {
		assert.NotContains(t, fmt.Sprintf("%+v", je), testToken)
	}
}

// "An endpoint that carries a password (or a query) is refused without
// quoting it, whichever check fails first" (TestEndpointErrorsNeverQuoteSecrets):
// not when the scheme or the host check fails first.
func TestAttackEndpointErrorsNeverQuoteTheQuery(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{"ftp://host/?sig=hunter2", "https:///?sig=hunter2", "ftp://host/#hunter2"} {
		c, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithEndpoint(endpoint))
		assert.Nil(t, c)
		require.ErrorIs(t, err, koophone.ErrInvalidParameter, endpoint)
		assert.NotContains(t, err.Error(), "hunter2", endpoint)
	}
}

// An IAM endpoint with user information holds a password (net/http sends
// it as basic auth). WithEndpoint refuses user information; the IAM config
// takes it and then prints it in fmt, encoding/json, the token source, the
// Client and its own errors.
func TestAttackIAMEndpointPasswordIsNeverPrinted(t *testing.T) {
	t.Parallel()
	const secret = "PROXY-PASSW0RD-91"
	cfg := koophone.IAMConfig{Endpoint: "https://proxy:" + secret + "@iam.example.com", DomainName: "acme",
		UserName: "ops", Password: testPassword, ProjectName: "p"}
	var out []string
	js, _ := json.Marshal(cfg)
	out = append(out, fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", &cfg), string(js))
	ts, err := koophone.NewIAMTokenSource(cfg)
	if err != nil {
		out = append(out, err.Error())
	} else {
		c, err := koophone.NewClient(koophone.WithTokenSource(ts))
		require.NoError(t, err)
		out = append(out, fmt.Sprintf("%v", ts), fmt.Sprintf("%+v", c))
	}
	bad := cfg
	bad.Endpoint = "ftp://proxy:" + secret + "@iam.example.com"
	_, err = koophone.NewIAMTokenSource(bad)
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	out = append(out, err.Error())
	for _, s := range out {
		assert.NotContains(t, s, secret)
	}
}

// ListInstances with PageSize 1 against a service announcing a total_count
// of MaxInt: paging computes its last page as total/size+1, which
// overflows for size 1, and ends silently after the first page although
// it was full and the service had more.
func TestAttackHugeTotalCountDoesNotEndPagingEarly(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		page := r.URL.Query().Get("page_no")
		result := `[]`
		if page == "1" || page == "2" || page == "3" {
			result = `[{"instance_id":"i-` + page + `"}]`
		}
		answer(w, 200, `{"data":{"result":`+result+`,"page_no":`+page+`,"page_size":1,"total_count":9223372036854775807,"error_code":"0","error_msg":"ok"}}`)
	})
	var ids []string
	for inst, err := range c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 1}) {
		require.NoError(t, err)
		ids = append(ids, inst.InstanceID)
	}
	assert.Equal(t, []string{"i-1", "i-2", "i-3"}, ids, strings.Join(ids, ","))
}
