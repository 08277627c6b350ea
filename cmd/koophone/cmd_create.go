package main

import (
	"context"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var createCmd = command{
	name:  "create",
	short: "buy cloud phones (spends money: needs --yes); prints the order",
	long: "Buy cloud phones, paid monthly or yearly (POST /v1/instances/create), and print the order id and " +
		"the instances created. It spends money, so it refuses to run without --yes. It is never repeated: " +
		"after a timeout or a lost connection, list the instances named after --name-prefix before buying again. " +
		"Take the ids from koophone skus.",
	examples: []string{
		"koophone create --yes --region cn-north-4 --sku SKU_ID --band-sku BAND_SKU_ID --os AOSP11 " +
			"--name-prefix ci-0412 --bandwidth 4 --count 2 --period month --period-count 1 --auto-pay",
	},
	exits: callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		var req koophone.CreateInstancesRequest
		confirmed := yesFlag(fs, "command buys instances and spends money")
		fs.StringVar(&req.OS, "os", "", `the Android image, e.g. "AOSP11" (required)`)
		fs.StringVar(&req.SKUID, "sku", "", "the SKU id (required)")
		fs.StringVar(&req.BandSKUID, "band-sku", "", "the bandwidth SKU id (required)")
		fs.StringVar(&req.RegionID, "region", "", `the region, e.g. "cn-north-4" (required)`)
		fs.StringVar(&req.NamePrefix, "name-prefix", "", "the instances' names start with it, 1 to 14 characters (required)")
		fs.Float64Var(&req.BandwidthMbps, "bandwidth", 0, "the bandwidth in Mbit/s (required)")
		fs.IntVar(&req.Count, "count", 1, "how many instances, 1 to 2000")
		period := fs.String("period", "month", "month or year")
		fs.IntVar(&req.Charge.Count, "period-count", 1, "how many periods: 1 to 9 months or 1 to 3 years")
		fs.BoolVar(&req.Charge.AutoPay, "auto-pay", false, "pay the order at once from the account")
		fs.BoolVar(&req.Charge.AutoRenew, "auto-renew", false, "renew at the end of the period")
		fs.StringVar(&req.Network, "network", "", "EIP or ADN (default: the service's, EIP)")
		fs.StringVar(&req.NodeGroupID, "node-group", "", "the node group id")
		return func(ctx context.Context, s *session) (*output, error) {
			var errs problems
			errs.add(required(fs, "os", "sku", "band-sku", "region", "name-prefix", "bandwidth"))
			checkOrder(fs, &req, *period, &errs)
			errs.add(confirmed())
			if err := errs.err(); err != nil {
				return nil, err
			}
			c, err := s.client(ctx, seed{})
			if err != nil {
				return nil, err
			}
			order, err := c.CreateInstances(ctx, req)
			if err != nil {
				return nil, err
			}
			out := rowsOf("instances", make([][]value, len(order.Instances)))
			out.top = []value{field("order_id", order.OrderID), jsonOnly("request_id", order.RequestID)}
			for i, in := range order.Instances {
				out.rows[i] = []value{field("instance_id", in.InstanceID), field("name", in.Name)}
			}
			return out, nil
		}
	},
}

// checkOrder sets req's period from period and adds a problem for each
// flag of create whose value the service cannot take.
func checkOrder(fs *pflag.FlagSet, req *koophone.CreateInstancesRequest, period string, errs *problems) {
	most := 0
	switch period {
	case "month":
		req.Charge.Unit, most = koophone.PeriodMonth, 9
	case "year":
		req.Charge.Unit, most = koophone.PeriodYear, 3
	default:
		errs.addf("--period %q: want month or year", period)
	}
	if most > 0 && (req.Charge.Count < 1 || req.Charge.Count > most) {
		errs.addf("--period-count %d: want 1 to %d for --period %s", req.Charge.Count, most, period)
	}
	if n := utf8.RuneCountInString(req.NamePrefix); fs.Changed("name-prefix") && (n < 1 || n > 14) {
		errs.addf("--name-prefix has %d characters: want 1 to 14", n)
	}
	if fs.Changed("bandwidth") && !(req.BandwidthMbps > 0) {
		errs.addf("--bandwidth %v: want a number above 0", req.BandwidthMbps)
	}
	if req.Count < 1 || req.Count > 2000 {
		errs.addf("--count %d: want 1 to 2000", req.Count)
	}
	if req.Network != "" && req.Network != "EIP" && req.Network != "ADN" {
		errs.addf("--network %q: want EIP or ADN", req.Network)
	}
}

var deleteCmd = command{
	name:  "delete",
	short: "return monthly/yearly instances, ending their subscription (needs --yes)",
	long: "Return up to 100 monthly/yearly instances, ending their subscription (POST /v1/instances/delete). " +
		"It cannot be undone, so it refuses to run without --yes.",
	examples: []string{"koophone delete --instance phone-1 --instance phone-2 --yes"},
	exits:    callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		confirmed := yesFlag(fs, "command deletes instances")
		ids := batchFlag(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			if err := confirmed(); err != nil {
				return nil, err
			}
			return onInstances(ctx, s, ids, "deleted", (*koophone.Client).DeleteInstances)
		}
	},
}

// onInstances calls call with the 1 to 100 instances of --instance, then
// prints each of them with done.
func onInstances(ctx context.Context, s *session, ids *idList, done string,
	call func(*koophone.Client, context.Context, []string) error) (*output, error) {
	if err := ids.batch(); err != nil {
		return nil, err
	}
	c, err := s.client(ctx, seed{ids: ids.ids})
	if err != nil {
		return nil, err
	}
	if err := call(c, ctx, ids.ids); err != nil {
		return nil, err
	}
	rows := make([][]value, len(ids.ids))
	for i, id := range ids.ids {
		rows[i] = []value{field("instance_id", id), textOnly("", done)}
	}
	return rowsOf("instances", rows), nil
}
