package koophone

import (
	"context"
	"net/http"
	"net/url"

	"github.com/koophone-go/koophone/internal/wire"
)

// SKUCatalog is what can be bought with [Client.CreateInstances], region by
// region. Its text comes from the service, sanitised.
type SKUCatalog struct {
	BandSKUID string // data.bandInfo.cbcSkuId, exactly as sent: what CreateInstancesRequest.BandSKUID takes
	Regions   []RegionSKUs
	RequestID string // the X-Request-Id of the call
}

// RegionSKUs are the SKUs on offer in one region.
type RegionSKUs struct {
	RegionID string // exactly as sent: what CreateInstancesRequest.RegionID takes
	SKUs     []SKU
}

// SKU is one instance specification on offer.
type SKU struct {
	ID            string     // cbcSkuId, exactly as sent: what CreateInstancesRequest.SKUID takes
	Type          string     // e.g. "ENTERPRISE"
	Name          string     // name
	ComputeSpec   string     // calcSpec
	StorageSpec   string     // storageSpec
	Description   string     // specDesc
	BandSizes     []float64  // bandSize "2,4,8": the bandwidths on offer, in Mbit/s
	ChargeMode    int        // chargeMode: 0 periodic, 1 on demand, 2 both
	MaxResolution string     // maxResolution
	ResourceSize  string     // resourceSize
	Images        []SKUImage // poolInfo.aosp
}

// SKUImage is an Android image an SKU can run.
type SKUImage struct {
	Version string // e.g. "AOSP11": what CreateInstancesRequest.OS takes
	PoolID  string // resPoolId, exactly as sent
	ID      int
	Network string // "EIP" or "ADN"
	Enabled bool   // enable
}

var opBatchShowSku = operation{name: "BatchShowSku", method: http.MethodGet}

// ListSKUs returns the catalog of instance specifications on offer. It
// calls GET /v1/instances/sku?type=0, a read retried on every transient
// failure.
//
// The answer is read leniently: bandSize may be "2,4,8" (spaces allowed),
// a lone number or an array; chargeMode and id may be numbers or numeric
// strings; enable may be a boolean or 0/1. A bandSize that holds anything
// but non-negative numbers makes the answer match [ErrMalformedResponse].
func (c *Client) ListSKUs(ctx context.Context) (*SKUCatalog, error) {
	var out skuData
	r := request{path: "/v1/instances/sku", query: url.Values{"type": {"0"}}}
	id, err := c.do(ctx, opBatchShowSku, r, &out)
	if err != nil {
		return nil, err
	}
	cat := &SKUCatalog{BandSKUID: out.BandInfo.CbcSKUID, RequestID: id}
	if len(out.SKUSpecResponseList) > 0 {
		cat.Regions = make([]RegionSKUs, len(out.SKUSpecResponseList))
	}
	for i, region := range out.SKUSpecResponseList {
		cat.Regions[i] = RegionSKUs{RegionID: region.RegionID}
		if len(region.SKUResponses) > 0 {
			cat.Regions[i].SKUs = make([]SKU, len(region.SKUResponses))
		}
		for j := range region.SKUResponses {
			cat.Regions[i].SKUs[j] = skuOf(&region.SKUResponses[j])
		}
	}
	return cat, nil
}

// skuData is BatchShowSku's data. Its ids are what CreateInstances takes
// (a changed one would buy another SKU): each is kept exactly as sent, or
// the answer is malformed. Any may be missing.
type skuData wire.SKUData

func (d *skuData) Validate() error {
	if err := (entry{"data.bandInfo", -1}).checkOptionalID("cbcSkuId", d.BandInfo.CbcSKUID); err != nil {
		return err
	}
	for i, region := range d.SKUSpecResponseList {
		at := entry{"data.skuSpecResponseList", i}
		if err := at.checkOptionalID("regionId", region.RegionID); err != nil {
			return err
		}
		for j, s := range region.SKUResponses {
			sku := entry{at.field("skuResponses"), j}
			if err := sku.checkOptionalID("cbcSkuId", s.CbcSKUID); err != nil {
				return err
			}
			for k, img := range s.PoolInfo.AOSP {
				if err := (entry{sku.field("poolInfo.aosp"), k}).checkOptionalID("resPoolId", string(img.ResPoolID)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// skuOf maps one wire SKU to an SKU, sanitising its text; its ids were
// checked and are kept.
func skuOf(s *wire.SKUItem) SKU {
	text := wire.SanitiseMessage
	sku := SKU{
		ID:            s.CbcSKUID,
		Type:          text(s.Type),
		Name:          text(s.Name),
		ComputeSpec:   text(string(s.CalcSpec)),
		StorageSpec:   text(string(s.StorageSpec)),
		Description:   text(s.SpecDesc),
		BandSizes:     s.BandSize,
		ChargeMode:    int(s.ChargeMode),
		MaxResolution: text(string(s.MaxResolution)),
		ResourceSize:  text(string(s.ResourceSize)),
	}
	if len(s.PoolInfo.AOSP) > 0 {
		sku.Images = make([]SKUImage, len(s.PoolInfo.AOSP))
	}
	for i, img := range s.PoolInfo.AOSP {
		sku.Images[i] = SKUImage{
			Version: text(img.Version),
			PoolID:  string(img.ResPoolID),
			ID:      int(img.ID),
			Network: text(img.Network),
			Enabled: bool(img.Enable),
		}
	}
	return sku
}
