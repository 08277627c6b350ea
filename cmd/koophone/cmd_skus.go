package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var skusCmd = command{
	name:  "skus",
	short: "list what can be bought: one line per region and SKU",
	long: "List the catalog of instance specifications on offer (GET /v1/instances/sku?type=0): one line per " +
		"region and SKU, with the ids create takes (--region, --sku, --band-sku, --os). " +
		"With --json, one {\"event\":\"sku\"} object per line, then the result.",
	examples: []string{"koophone skus", "koophone skus --json"},
	exits:    callExits,
	flags: func(*pflag.FlagSet) runFunc {
		return func(ctx context.Context, s *session) (*output, error) {
			c, err := s.client(ctx, seed{})
			if err != nil {
				return nil, err
			}
			cat, err := c.ListSKUs(ctx)
			if err != nil {
				return nil, err
			}
			out := rowsOf("skus", nil)
			out.each = "sku"
			for _, r := range cat.Regions {
				for _, sku := range r.SKUs {
					out.rows = append(out.rows, skuRow(r.RegionID, cat.BandSKUID, sku))
				}
			}
			out.top = []value{jsonOnly("count", len(out.rows)), jsonOnly("band_sku_id", cat.BandSKUID), jsonOnly("request_id", cat.RequestID)}
			return out, nil
		}
	},
}

// skuRow is an SKU's line in a region: the ids create takes, then what it
// is; JSON has every field.
func skuRow(region, bandSKU string, sku koophone.SKU) []value {
	bands := make([]string, len(sku.BandSizes))
	for i, b := range sku.BandSizes {
		bands[i] = strconv.FormatFloat(b, 'f', -1, 64)
	}
	var images []string
	imagesJSON := make([]map[string]any, len(sku.Images))
	for i, im := range sku.Images {
		if im.Enabled {
			images = append(images, im.Version)
		}
		imagesJSON[i] = map[string]any{"version": im.Version, "pool_id": im.PoolID, "id": im.ID, "network": im.Network, "enabled": im.Enabled}
	}
	return []value{
		field("region", region), field("sku_id", sku.ID), field("band_sku_id", bandSKU),
		shown("os", imagesJSON, strings.Join(images, ",")), shown("band_sizes_mbps", sku.BandSizes, strings.Join(bands, ",")),
		field("name", sku.Name), field("type", sku.Type), field("compute_spec", sku.ComputeSpec), field("storage_spec", sku.StorageSpec),
		jsonOnly("description", sku.Description), jsonOnly("charge_mode", sku.ChargeMode),
		jsonOnly("max_resolution", sku.MaxResolution), jsonOnly("resource_size", sku.ResourceSize),
	}
}
