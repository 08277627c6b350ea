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

// The values of chargeParam.periodType.
const (
	periodMonth = 2
	periodYear  = 3
)

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

// check answers what is wrong with a CreateInstance body, as the
// error-code page says: KOOPHONE.API.3003 for a missing os, 3006 for a
// count of months out of 1 to 9, 3007 for a count of years out of 1 to 3,
// 3002 for an SKU or region the catalog does not know, 1000 for the rest.
// ok is false when something is.
func (c createJSON) check() (reply, bool) {
	if c.OS == "" {
		return fail(codeOSMissing, "os is required"), false
	}
	if msg := firstError(
		check(slices.Contains([]string{"AOSP9", "AOSP11", "AOSP14"}, c.OS), "os must be AOSP9, AOSP11 or AOSP14"),
		checkLen("instanceSkuId", c.InstanceSkuID, 1, 64), checkLen("bandSkuId", c.BandSkuID, 1, 64),
		checkLen("regionId", c.RegionID, 1, 64), checkLen("instanceNamePrefix", c.InstanceNamePrefix, 1, 14),
		check(c.Count >= 1 && c.Count <= maxCreateCount, "count must be 1 to 2000"),
		check(slices.Contains([]string{"", "EIP", "ADN"}, c.Network), "network must be EIP or ADN"),
		check(c.ChargeParam != nil, "chargeParam is required"),
	); msg != "" {
		return invalid("%s", msg), false
	}
	if rep, ok := c.ChargeParam.check(); !ok {
		return rep, false
	}
	if c.BandSkuID != BandSKUID {
		return fail(codeSKUNotFound, "no such sku: bandSkuId %s", c.BandSkuID), false
	}
	return reply{}, true
}

// check answers what is wrong with a chargeParam; ok is false when
// something is.
func (p *chargeJSON) check() (reply, bool) {
	if msg := firstError(
		check(p.ChargingMode == 1, "chargeParam.chargingMode must be 1"),
		check(p.PeriodType == periodMonth || p.PeriodType == periodYear, "chargeParam.periodType must be 2 (month) or 3 (year)"),
		check(p.IsAutoPay == 0 || p.IsAutoPay == 1, "chargeParam.isAutoPay must be 0 or 1"),
		check(p.IsAutoRenew == 0 || p.IsAutoRenew == 1, "chargeParam.isAutoRenew must be 0 or 1"),
	); msg != "" {
		return invalid("%s", msg), false
	}
	switch {
	case p.PeriodType == periodMonth && (p.PeriodNum < 1 || p.PeriodNum > 9):
		return fail(codeMonthsOutOfRange, "if the period type is month, the period num must be 1 to 9"), false
	case p.PeriodType == periodYear && (p.PeriodNum < 1 || p.PeriodNum > 3):
		return fail(codeYearsOutOfRange, "if the period type is year, the period num must be 1 to 3"), false
	}
	return reply{}, true
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
	if rep, ok := in.check(); !ok {
		return rep
	}
	sku, ok := findSKU(in.RegionID, in.InstanceSkuID)
	if !ok {
		return fail(codeSKUNotFound, "no such sku or region: instanceSkuId %s in region %s", in.InstanceSkuID, in.RegionID)
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
