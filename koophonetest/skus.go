package koophonetest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// SKUID and BandSKUID are ids of the fake's SKU catalog (BatchShowSku),
// for CreateInstance: SKUID is offered in cn-north-4 and cn-south-1 with
// AOSP11 and AOSP14 images, bandwidths of 2, 4 or 8 Mbit/s.
const (
	SKUID     = "koophonetest-sku-4c8g"
	BandSKUID = "koophonetest-band"
)

// skuCatalogJSON is BatchShowSku's data: camelCase, as documented.
type skuCatalogJSON struct {
	BandInfo struct {
		CbcSkuID string `json:"cbcSkuId"`
	} `json:"bandInfo"`
	Specs []regionSKUsJSON `json:"skuSpecResponseList"`
}

type regionSKUsJSON struct {
	RegionID string    `json:"regionId"`
	SKUs     []skuJSON `json:"skuResponses"`
}

type skuJSON struct {
	Type          string `json:"type"`
	CbcSkuID      string `json:"cbcSkuId"`
	Name          string `json:"name"`
	CalcSpec      string `json:"calcSpec"`
	StorageSpec   string `json:"storageSpec"`
	SpecDesc      string `json:"specDesc"`
	BandSize      string `json:"bandSize"`
	ChargeMode    int    `json:"chargeMode"`
	MaxResolution string `json:"maxResolution"`
	ResourceSize  string `json:"resourceSize"`
	PoolInfo      struct {
		AOSP []imageJSON `json:"aosp"`
	} `json:"poolInfo"`
}

type imageJSON struct {
	Version   string `json:"version"`
	ResPoolID string `json:"resPoolId"`
	ID        int    `json:"id"`
	Network   string `json:"network"`
	Enable    bool   `json:"enable"`
}

// catalog is the fake's SKU catalog.
var catalog = func() skuCatalogJSON {
	sku := func(id, name, calc, bands string, mode int, images ...imageJSON) skuJSON {
		s := skuJSON{Type: "ENTERPRISE", CbcSkuID: id, Name: name, CalcSpec: calc, StorageSpec: "64GB",
			SpecDesc: name + ", 64GB storage", BandSize: bands, ChargeMode: mode, MaxResolution: "1080P", ResourceSize: "1"}
		s.PoolInfo.AOSP = images
		return s
	}
	var c skuCatalogJSON
	c.BandInfo.CbcSkuID = BandSKUID
	c.Specs = []regionSKUsJSON{
		{RegionID: "cn-north-4", SKUs: []skuJSON{
			sku(SKUID, "Enterprise 4vCPUs 8GB", "4vCPUs|8GB", "2,4,8", 0,
				imageJSON{"AOSP11", "pool-cn-north-4-aosp11", 1, "EIP", true}, imageJSON{"AOSP14", "pool-cn-north-4-aosp14", 2, "ADN", true}),
			sku("koophonetest-sku-2c4g", "Standard 2vCPUs 4GB", "2vCPUs|4GB", "2,4", 2,
				imageJSON{"AOSP11", "pool-cn-north-4-std", 3, "EIP", true}, imageJSON{"AOSP9", "pool-cn-north-4-old", 4, "EIP", false}),
		}},
		{RegionID: "cn-south-1", SKUs: []skuJSON{
			sku(SKUID, "Enterprise 4vCPUs 8GB", "4vCPUs|8GB", "2,4,8", 0,
				imageJSON{"AOSP11", "pool-cn-south-1-aosp11", 5, "EIP", true}, imageJSON{"AOSP14", "pool-cn-south-1-aosp14", 6, "EIP", true}),
		}},
	}
	return c
}()

// findSKU returns the SKU of a region, if the catalog offers it.
func findSKU(regionID, skuID string) (skuJSON, bool) {
	for _, r := range catalog.Specs {
		if r.RegionID != regionID {
			continue
		}
		for _, s := range r.SKUs {
			if s.CbcSkuID == skuID {
				return s, true
			}
		}
	}
	return skuJSON{}, false
}

// offers reports whether a SKU has an enabled image of os and a bandwidth of band.
func (s skuJSON) offers(os string, band float64) bool {
	hasOS := slices.ContainsFunc(s.PoolInfo.AOSP, func(i imageJSON) bool { return i.Version == os && i.Enable })
	hasBand := slices.ContainsFunc(strings.Split(s.BandSize, ","), func(b string) bool {
		f, err := strconv.ParseFloat(b, 64)
		return err == nil && f == band
	})
	return hasOS && hasBand
}

// showSKUs answers BatchShowSku: GET /v1/instances/sku?type=0.
func (s *Server) showSKUs(r *http.Request, _ []byte) reply {
	if r.URL.Query().Get("type") != "0" {
		return invalid("type must be 0")
	}
	return success(catalog)
}
