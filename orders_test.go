package koophone_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

const createOK = `{"error_code":"0","error_msg":"ok","data":{"orderId":"CS2501010000ABCD",
	"instanceInfos":[{"instanceId":"i-1","instanceName":"fleet-001"},{"instanceId":"i-2","instanceName":"fleet-002"}]}}`

func TestCreateInstancesWireFormatAndAnswer(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, createOK))
	order, err := c.CreateInstances(timeout(t), createRequest())
	require.NoError(t, err)
	assert.Equal(t, &koophone.Order{OrderID: "CS2501010000ABCD", Instances: []koophone.CreatedInstance{
		{InstanceID: "i-1", Name: "fleet-001"}, {InstanceID: "i-2", Name: "fleet-002"},
	}, RequestID: s.Requests()[0].Header.Get("X-Request-Id")}, order)

	req := createRequest()
	req.Network, req.NodeGroupID, req.BandwidthMbps = "ADN", "ng-1", 2.5
	req.Charge = koophone.ChargeParam{Unit: koophone.PeriodYear, Count: 1, AutoRenew: true}
	_, err = c.CreateInstances(timeout(t), req)
	require.NoError(t, err)

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances/create", reqs[0].Path)
	assert.JSONEq(t, `{"os":"AOSP11","instanceSkuId":"sku-1","bandSkuId":"band-1","regionId":"cn-north-4",
		"instanceNamePrefix":"fleet","bandSize":4,"count":2,
		"chargeParam":{"chargingMode":1,"periodType":2,"periodNum":3,"isAutoPay":1,"isAutoRenew":0}}`, string(reqs[0].Raw),
		"network and nodeGroupId are left out when empty")
	assert.JSONEq(t, `{"os":"AOSP11","instanceSkuId":"sku-1","bandSkuId":"band-1","regionId":"cn-north-4",
		"instanceNamePrefix":"fleet","bandSize":2.5,"count":2,"network":"ADN","nodeGroupId":"ng-1",
		"chargeParam":{"chargingMode":1,"periodType":3,"periodNum":1,"isAutoPay":0,"isAutoRenew":1}}`, string(reqs[1].Raw))
}

func TestCreateInstancesAcceptsSparseAnswers(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]koophone.Order{
		`{"error_code":"0","data":{"orderId":12345}}`: {OrderID: "12345"},
		`{"error_code":"0","data":null}`:              {},
		`{"error_code":"0","data":{"instanceInfos":[{"instanceId":"i-9","instanceName":"a\u202eb"}]}}`: {
			Instances: []koophone.CreatedInstance{{InstanceID: "i-9", Name: "ab"}}},
	} {
		c, _ := setup(t, always(http.StatusOK, body))
		order, err := c.CreateInstances(timeout(t), createRequest())
		require.NoError(t, err, body)
		want.RequestID = order.RequestID
		assert.Equal(t, &want, order, body)
	}
}

func TestCreateInstancesRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, createOK))
	tests := []struct {
		change func(*koophone.CreateInstancesRequest)
		want   string
	}{
		{func(r *koophone.CreateInstancesRequest) { r.OS = "" }, "OS is empty"},
		{func(r *koophone.CreateInstancesRequest) { r.SKUID = strings.Repeat("s", 65) }, "SKUID has 65 characters"},
		{func(r *koophone.CreateInstancesRequest) { r.BandSKUID = "" }, "BandSKUID is empty"},
		{func(r *koophone.CreateInstancesRequest) { r.RegionID = strings.Repeat("r", 65) }, "RegionID has 65 characters"},
		{func(r *koophone.CreateInstancesRequest) { r.NamePrefix = "" }, "NamePrefix is empty"},
		{func(r *koophone.CreateInstancesRequest) { r.NamePrefix = "abcdefghijklmno" }, "NamePrefix has 15 characters; at most 14"},
		{func(r *koophone.CreateInstancesRequest) { r.BandwidthMbps = 0 }, "BandwidthMbps is 0"},
		{func(r *koophone.CreateInstancesRequest) { r.BandwidthMbps = -1 }, "BandwidthMbps is -1"},
		{func(r *koophone.CreateInstancesRequest) { r.Count = 0 }, "Count is 0; want 1 to 2000"},
		{func(r *koophone.CreateInstancesRequest) { r.Count = 2001 }, "Count is 2001; want 1 to 2000"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Unit = 1 }, "Charge.Unit is 1"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Count = 10 }, "Charge.Count (months) is 10; want 1 to 9"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Count = 0 }, "Charge.Count (months) is 0"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Unit, r.Charge.Count = koophone.PeriodYear, 4 }, "Charge.Count (years) is 4; want 1 to 3"},
		{func(r *koophone.CreateInstancesRequest) { r.Network = "eip" }, `Network "eip"`},
		{func(r *koophone.CreateInstancesRequest) { r.NodeGroupID = strings.Repeat("n", 65) }, "NodeGroupID has 65 characters"},
	}
	for _, tt := range tests {
		req := createRequest()
		tt.change(&req)
		_, err := c.CreateInstances(timeout(t), req)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())

	req := createRequest()
	req.Count, req.NamePrefix, req.Charge.Count = 2000, "abcdefghijklmn", 9
	_, err := c.CreateInstances(timeout(t), req)
	require.NoError(t, err, "the largest count, prefix and period are allowed")
}

func TestCreateInstancesIsNeverRepeatedOnceItMayHaveArrived(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusInternalServerError, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal"}`))
	_, err := c.CreateInstances(timeout(t), createRequest())
	assert.ErrorIs(t, err, koophone.ErrInternal)
	assert.Len(t, s.Requests(), 1, "a 5xx is not retried")

	c, s = setup(t, always(http.StatusBadGateway, `<html>bad gateway</html>`))
	_, err = c.CreateInstances(timeout(t), createRequest())
	require.Error(t, err)
	assert.Len(t, s.Requests(), 1, "a gateway's 502 is not retried")

	c, s = hangSetup(t)
	_, err = c.CreateInstances(timeout(t), createRequest())
	require.ErrorContains(t, err, "no answer within")
	assert.Len(t, s.Requests(), 1, "a timeout is not retried")

	c, s = setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"throttled"}`)
			return
		}
		answer(w, http.StatusOK, createOK)
	})
	order, err := c.CreateInstances(timeout(t), createRequest())
	require.NoError(t, err, "a 429 is retried: the service did not act on it")
	assert.Len(t, order.Instances, 2)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Header.Get("X-Request-Id"), reqs[1].Header.Get("X-Request-Id"))
}

func TestCreateInstancesErrorCodes(t *testing.T) {
	t.Parallel()
	assertCodes(t, topLevel, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.CreateInstances(ctx, createRequest())
		return err
	}, []codeCase{
		{koophone.CodeSKUOrRegionNotFound, koophone.ErrInvalidParameter},
		{koophone.CodeOSVersionMissing, koophone.ErrInvalidParameter},
		{koophone.CodePeriodOutOfRange3006, koophone.ErrInvalidParameter},
		{koophone.CodePeriodOutOfRange3007, koophone.ErrInvalidParameter},
		{"KP.API.3002", koophone.ErrInvalidParameter},
		{koophone.CodeInvalidParameter, koophone.ErrInvalidParameter},
		{koophone.CodeInternal, koophone.ErrInternal},
	})
}

func TestDeleteInstances(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"error_code":"0","error_msg":"ok"}`,
		`{"error_code":"0","error_msg":"ok","data":null}`,
		`{"error_code":"0","error_msg":"ok","data":"null"}`,
		`{"error_code":"0","error_msg":"ok","data":"deleted"}`,
		`{"error_code":"0","error_msg":"ok","data":{"anything":[1]}}`,
	} {
		c, s := setup(t, always(http.StatusOK, body))
		require.NoError(t, c.DeleteInstances(timeout(t), []string{"i-1", "i-2"}), body)
		reqs := s.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, http.MethodPost, reqs[0].Method)
		assert.Equal(t, "/v1/instances/delete", reqs[0].Path)
		assert.JSONEq(t, `{"instanceIdList":["i-1","i-2"]}`, string(reqs[0].Raw))
	}
}

func TestDeleteInstancesRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0"}`))
	for _, tt := range []struct {
		ids  []string
		want string
	}{
		{nil, "none given"},
		{hundredAndOne(), "101 given; at most 100"},
		{[]string{"a", "a"}, `"a" is given twice`},
		{[]string{strings.Repeat("i", 33)}, "instance id 0 has 33 characters"},
		{[]string{"i-1", "."}, `instance id 1 "." is not allowed`},
	} {
		err := c.DeleteInstances(timeout(t), tt.ids)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())
}

func TestDeleteInstancesErrorsAndWriteRule(t *testing.T) {
	t.Parallel()
	assertCodes(t, topLevel, func(ctx context.Context, c *koophone.Client) error {
		return c.DeleteInstances(ctx, []string{"i-1"})
	}, []codeCase{
		{koophone.CodePayPerUseNotDeletable, koophone.ErrOperationNotAllowed},
		{koophone.CodeInstanceNotFound, koophone.ErrInstanceNotFound},
		{koophone.CodePermissionDenied, koophone.ErrPermissionDenied},
	})
	c, s := setup(t, always(http.StatusServiceUnavailable, ``))
	err := c.DeleteInstances(timeout(t), []string{"i-1"})
	var apiErr *koophone.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.HTTPStatus)
	assert.Len(t, s.Requests(), 1, "a write is not retried after a 5xx")
}
