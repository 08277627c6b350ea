package koophone_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// The BatchShowSku answer as the API reference documents it.
const skusDocumented = `{"error_code":"0","error_msg":"ok","data":{
	"bandInfo":{"cbcSkuId":"band-sku-1"},
	"skuSpecResponseList":[{"regionId":"cn-north-4","skuResponses":[{
		"type":"ENTERPRISE","cbcSkuId":"sku-1","name":"Cloud phone 8U16G","calcSpec":"8U16G","storageSpec":"128G",
		"specDesc":"for games","bandSize":"2,4,8","chargeMode":0,"maxResolution":"1080P","resourceSize":"1",
		"poolInfo":{"aosp":[{"version":"AOSP11","resPoolId":"pool-1","id":7,"network":"EIP","enable":true},
			{"version":"AOSP14","resPoolId":"pool-2","id":"8","network":"ADN","enable":false}]}}]},
		{"regionId":"cn-south-1","skuResponses":[]}]}}`

func TestListSKUsWireFormatAndAnswer(t *testing.T) {
	t.Parallel()
	var log queryLog
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		log.add(r)
		answer(w, http.StatusOK, skusDocumented)
	})
	cat, err := c.ListSKUs(timeout(t))
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/instances/sku", reqs[0].Path)
	assert.Equal(t, url.Values{"type": {"0"}}, log.all()[0])
	assert.Equal(t, &koophone.SKUCatalog{
		BandSKUID: "band-sku-1",
		Regions: []koophone.RegionSKUs{
			{RegionID: "cn-north-4", SKUs: []koophone.SKU{{
				ID: "sku-1", Type: "ENTERPRISE", Name: "Cloud phone 8U16G", ComputeSpec: "8U16G", StorageSpec: "128G",
				Description: "for games", BandSizes: []float64{2, 4, 8}, ChargeMode: 0, MaxResolution: "1080P", ResourceSize: "1",
				Images: []koophone.SKUImage{
					{Version: "AOSP11", PoolID: "pool-1", ID: 7, Network: "EIP", Enabled: true},
					{Version: "AOSP14", PoolID: "pool-2", ID: 8, Network: "ADN", Enabled: false},
				},
			}}},
			{RegionID: "cn-south-1"},
		},
		RequestID: reqs[0].Header.Get("X-Request-Id"),
	}, cat)
}

// skuAnswer is a catalog of one SKU with the given bandSize, chargeMode and enable.
func skuAnswer(bandSize, chargeMode, enable string) string {
	return `{"error_code":"0","data":{"skuSpecResponseList":[{"regionId":"r","skuResponses":[{"cbcSkuId":"s",
		"bandSize":` + bandSize + `,"chargeMode":` + chargeMode + `,"poolInfo":{"aosp":[{"enable":` + enable + `}]}}]}]}}`
}

func TestListSKUsReadsLeniently(t *testing.T) {
	t.Parallel()
	tests := []struct {
		bandSize, chargeMode, enable string
		sizes                        []float64
		mode                         int
		enabled                      bool
	}{
		{`" 2, 4 ,8 "`, `"2"`, `"true"`, []float64{2, 4, 8}, 2, true},
		{`5`, `1`, `1`, []float64{5}, 1, true},
		{`"2.5"`, `"0"`, `"0"`, []float64{2.5}, 0, false},
		{`[2, "4", "6,8"]`, `2`, `false`, []float64{2, 4, 6, 8}, 2, false},
		{`""`, `null`, `null`, nil, 0, false},
		{`null`, `0`, `true`, nil, 0, true},
	}
	for _, tt := range tests {
		c, _ := setup(t, always(http.StatusOK, skuAnswer(tt.bandSize, tt.chargeMode, tt.enable)))
		cat, err := c.ListSKUs(timeout(t))
		require.NoError(t, err, tt.bandSize)
		sku := cat.Regions[0].SKUs[0]
		assert.Equal(t, tt.sizes, sku.BandSizes, tt.bandSize)
		assert.Equal(t, tt.mode, sku.ChargeMode, tt.chargeMode)
		assert.Equal(t, tt.enabled, sku.Images[0].Enabled, tt.enable)
	}
}

func TestListSKUsMalformedAndErrors(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		skuAnswer(`"2,four"`, `0`, `true`),
		skuAnswer(`"-2"`, `0`, `true`),
		skuAnswer(`"NaN"`, `0`, `true`),
		skuAnswer(`{"a":1}`, `0`, `true`),
		skuAnswer(`"2"`, `"periodic"`, `true`),
		skuAnswer(`"2"`, `0`, `"yes"`),
	} {
		c, _ := setup(t, always(http.StatusOK, body))
		_, err := c.ListSKUs(timeout(t))
		assert.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.ErrorContains(t, err, "BatchShowSku", body)
	}
	assertCodes(t, topLevel, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.ListSKUs(ctx)
		return err
	}, []codeCase{
		{koophone.CodeInvalidParameter, koophone.ErrInvalidParameter},
		{koophone.CodeInternal, koophone.ErrInternal},
	})
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusBadGateway, `<html>502</html>`)
			return
		}
		answer(w, http.StatusOK, skusDocumented)
	})
	_, err := c.ListSKUs(timeout(t))
	require.NoError(t, err, "a read is retried after a 502")
	assert.Len(t, s.Requests(), 2)
}
