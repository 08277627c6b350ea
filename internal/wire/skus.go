package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// SKUData is the data of a BatchShowSku answer. Its names are camelCase.
type SKUData struct {
	BandInfo struct {
		CbcSKUID string `json:"cbcSkuId"`
	} `json:"bandInfo"`
	SKUSpecResponseList []RegionSKUData `json:"skuSpecResponseList"`
}

// RegionSKUData is one region of BatchShowSku's skuSpecResponseList.
type RegionSKUData struct {
	RegionID     string    `json:"regionId"`
	SKUResponses []SKUItem `json:"skuResponses"`
}

// SKUItem is one entry of a region's skuResponses.
type SKUItem struct {
	Type          string    `json:"type"`
	CbcSKUID      string    `json:"cbcSkuId"`
	Name          string    `json:"name"`
	CalcSpec      Text      `json:"calcSpec"`
	StorageSpec   Text      `json:"storageSpec"`
	SpecDesc      string    `json:"specDesc"`
	BandSize      BandSizes `json:"bandSize"`
	ChargeMode    Int       `json:"chargeMode"`
	MaxResolution Text      `json:"maxResolution"`
	ResourceSize  Text      `json:"resourceSize"`
	PoolInfo      struct {
		AOSP []PoolImage `json:"aosp"`
	} `json:"poolInfo"`
}

// PoolImage is one entry of an SKU's poolInfo.aosp.
type PoolImage struct {
	Version   string `json:"version"`
	ResPoolID Text   `json:"resPoolId"`
	ID        Int    `json:"id"`
	Network   string `json:"network"`
	Enable    Bool   `json:"enable"`
}

var bandSizesType = reflect.TypeOf([]float64(nil))

// BandSizes is bandSize, the bandwidths on offer in Mbit/s. The service
// sends a comma-separated string ("2,4,8"); spaces around the numbers, a
// lone number and an array of numbers or numeric strings are accepted too.
// Anything else is refused.
type BandSizes []float64

// UnmarshalJSON accepts "2,4,8", " 2 , 4 ", 2, [2, "4"] and null.
func (s *BandSizes) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	switch kind := jsonKind(b); {
	case string(b) == "null":
		return nil
	case kind == "array":
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
	case kind == "string" || kind == "number":
		items = []json.RawMessage{b}
	default:
		return &json.UnmarshalTypeError{Value: kind, Type: bandSizesType}
	}
	var out BandSizes
	for _, item := range items {
		text := string(item)
		if jsonKind(item) == "string" {
			if err := json.Unmarshal(item, &text); err != nil {
				return err
			}
		}
		for _, part := range strings.Split(text, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			f, err := strconv.ParseFloat(part, 64)
			if err != nil || !isNumber([]byte(part)) || !(f >= 0) || math.IsInf(f, 1) || f == 0 && !exactZero(part) {
				return &json.UnmarshalTypeError{Value: jsonKind(item), Type: bandSizesType}
			}
			out = append(out, f)
		}
	}
	*s = out
	return nil
}

var boolType = reflect.TypeOf(false)

// Bool is a flag sent as true/false, as "true"/"false", or as 0/1 (number
// or string). Anything else is refused.
type Bool bool

// UnmarshalJSON accepts true, false, "true", "false", 0, 1, "0", "1" and null.
func (v *Bool) UnmarshalJSON(b []byte) error {
	text := string(b)
	if jsonKind(b) == "string" {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
	}
	switch strings.TrimSpace(text) {
	case "null":
	case "true", "1":
		*v = true
	case "false", "0":
		*v = false
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: boolType}
	}
	return nil
}
