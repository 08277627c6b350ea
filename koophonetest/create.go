package koophonetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// maxCreateCount is the most instances one CreateInstance may buy (the
// pages say 1500 or 2000: the fake takes the larger).
const maxCreateCount = 2000

// createJSON is the body of CreateInstance: camelCase, as documented.
type createJSON struct {
	OS                 string      `json:"os"`
	InstanceSkuID      string      `json:"instanceSkuId"`
	BandSkuID          string      `json:"bandSkuId"`
	RegionID           string      `json:"regionId"`
	InstanceNamePrefix string      `json:"instanceNamePrefix"`
	BandSize           float64     `json:"bandSize"`
	Count              int         `json:"count"`
	ChargeParam        *chargeJSON `json:"chargeParam"`
	Network            string      `json:"network"`
	NodeGroupID        string      `json:"nodeGroupId"`
}

type chargeJSON struct {
	ChargingMode int `json:"chargingMode"`
	PeriodType   int `json:"periodType"`
	PeriodNum    int `json:"periodNum"`
	IsAutoPay    int `json:"isAutoPay"`
	IsAutoRenew  int `json:"isAutoRenew"`
}

// orderJSON is CreateInstance's data.
type orderJSON struct {
	OrderID       string            `json:"orderId"`
	InstanceInfos []createdInstJSON `json:"instanceInfos"`
}

type createdInstJSON struct {
	InstanceID   string `json:"instanceId"`
	InstanceName string `json:"instanceName"`
}

// check returns what is wrong with a CreateInstance body, or "".
func (c createJSON) check() string {
	return firstError(
		check(slices.Contains([]string{"AOSP9", "AOSP11", "AOSP14"}, c.OS), "os must be AOSP9, AOSP11 or AOSP14"),
		checkLen("instanceSkuId", c.InstanceSkuID, 1, 64), checkLen("bandSkuId", c.BandSkuID, 1, 64),
		checkLen("regionId", c.RegionID, 1, 64), checkLen("instanceNamePrefix", c.InstanceNamePrefix, 1, 14),
		check(c.Count >= 1 && c.Count <= maxCreateCount, "count must be 1 to 2000"),
		check(slices.Contains([]string{"", "EIP", "ADN"}, c.Network), "network must be EIP or ADN"),
		check(c.ChargeParam != nil, "chargeParam is required"),
		c.ChargeParam.check(),
		check(c.BandSkuID == BandSKUID, "bandSkuId is not the catalog's band SKU"),
	)
}

// check returns what is wrong with a chargeParam, or "".
func (p *chargeJSON) check() string {
	if p == nil {
		return ""
	}
	maxNum := map[int]int{2: 9, 3: 3}[p.PeriodType]
	return firstError(
		check(p.ChargingMode == 1, "chargeParam.chargingMode must be 1"),
		check(maxNum > 0, "chargeParam.periodType must be 2 (month) or 3 (year)"),
		check(p.PeriodNum >= 1 && p.PeriodNum <= maxNum, "chargeParam.periodNum must be 1 to 9 months or 1 to 3 years"),
		check(p.IsAutoPay == 0 || p.IsAutoPay == 1, "chargeParam.isAutoPay must be 0 or 1"),
		check(p.IsAutoRenew == 0 || p.IsAutoRenew == 1, "chargeParam.isAutoRenew must be 0 or 1"),
	)
}

// createInstances answers CreateInstance: POST /v1/instances/create. It
// adds count unassigned, running, yearly/monthly instances named the
// prefix and a number counted per prefix ("shop0001", "shop0002", …), with
// ids "kp-000001", …, created now, and answers their order.
func (s *Server) createInstances(_ *http.Request, body []byte) reply {
	var in createJSON
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := in.check(); msg != "" {
		return invalid("%s", msg)
	}
	sku, ok := findSKU(in.RegionID, in.InstanceSkuID)
	if !ok {
		return invalid("instanceSkuId %s is not offered in region %s", in.InstanceSkuID, in.RegionID)
	}
	if !sku.offers(in.OS, in.BandSize) {
		return invalid("SKU %s offers no %s image with a bandwidth of %v", sku.CbcSkuID, in.OS, in.BandSize)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	order := orderJSON{OrderID: s.nextID("order", "CS%016d")}
	for range in.Count {
		inst := newInstance(Instance{ID: s.freeID(), Name: s.nextID("name:"+in.InstanceNamePrefix, in.InstanceNamePrefix+"%04d"),
			Region: in.RegionID, SKU: sku.Name, Created: s.now().UTC()})
		s.inventory.add(inst)
		order.InstanceInfos = append(order.InstanceInfos, createdInstJSON{InstanceID: inst.ID, InstanceName: inst.Name})
	}
	return success(order)
}

// freeID returns the next instance id "kp-000001", … that no instance has.
// The caller holds s.mu.
func (s *Server) freeID() string {
	for {
		if id := s.nextID("instance", "kp-%06d"); s.inventory.byID[id] == nil {
			return id
		}
	}
}

// nextID counts one more of kind and formats the count. The caller holds s.mu.
func (s *Server) nextID(kind, format string) string {
	s.counters[kind]++
	return fmt.Sprintf(format, s.counters[kind])
}

// deleteInstances answers DeleteInstance: POST /v1/instances/delete. An
// unknown instance gets 4001 and a pay-per-use one 5001, for the whole
// call; otherwise the instances are removed.
func (s *Server) deleteInstances(_ *http.Request, body []byte) reply {
	var in struct {
		IDs []string `json:"instanceIdList"`
	}
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := checkIDList("instanceIdList", in.IDs); msg != "" {
		return invalid("%s", msg)
	}
	return s.onInstances(in.IDs, func(insts []*instance) reply {
		for _, inst := range insts {
			if inst.PayPerUse {
				return fail(codePayPerUse, "pay-per-use instances cannot be deleted: %s", inst.ID)
			}
		}
		s.inventory.remove(in.IDs)
		return success(json.RawMessage("null"))
	})
}
