package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var instancesListCmd = command{
	name:  "instances list",
	short: "list the tenant's instances (filters as flags; --all pages through all)",
	long: "List the tenant's instances (GET /v1/instances/batch-query): one page (--page, --page-size), " +
		"or every one with --all. Times are RFC 3339 or \"2006-01-02 15:04:05\" in UTC. " +
		"With --json, one {\"event\":\"instance\"} object per instance, then the result.",
	examples: []string{
		"koophone instances list --all --scene CLOUD_PHONE",
		"koophone instances list --name phone- --since 2026-01-01T00:00:00Z --order desc --order-by create_time --json",
	},
	exits: callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		var pages pageFlags
		var opts koophone.ListInstancesOptions
		var since, until timeFlag
		fs.StringVar(&opts.InstanceID, "instance", "", "only this instance")
		fs.StringVar(&opts.InstanceName, "name", "", "only instances with this name")
		fs.Var(&since, "since", "only instances created at or after this time")
		fs.Var(&until, "until", "only instances created at or before this time")
		fs.StringVar(&opts.Scene, "scene", "", koophone.SceneCloudPhone+" or "+koophone.SceneCloudApp)
		fs.StringVar(&opts.PoolName, "pool", "", "only instances of this pool")
		fs.StringVar(&opts.Order, "order", "", "asc or desc")
		fs.StringVar(&opts.OrderBy, "order-by", "", "the field to sort by, e.g. create_time")
		pages.register(fs, 500)
		return func(ctx context.Context, s *session) (*output, error) {
			var errs problems
			pages.check(&errs)
			if err := errs.err(); err != nil {
				return nil, err
			}
			opts.Since, opts.Until, opts.PageSize = since.t, until.t, pages.size
			c, err := s.client(ctx, seed{fleet: 5})
			if err != nil {
				return nil, err
			}
			return listing(s, &pages, "instance", instanceRow, c.ListInstances(ctx, &opts),
				func(n int) ([]koophone.Instance, pageHead, error) {
					p, err := c.ListInstancesPage(ctx, n, &opts)
					if err != nil {
						return nil, pageHead{}, err
					}
					return p.Instances, pageHead{p.PageNo, p.PageSize, p.TotalCount, p.RequestID}, nil
				})
		}
	},
}

// instanceRow is an instance's line: id, name, region, power, assigned
// user, SKU and billing mode; JSON has every field.
func instanceRow(in koophone.Instance) []value {
	return []value{
		field("instance_id", in.InstanceID), field("name", in.Name), field("region", in.Region),
		jsonOnly("region_name", in.RegionName), jsonOnly("region_name_en", in.RegionNameEN),
		jsonOnly("power", int(in.Power)), field("power_name", in.Power.String()),
		jsonOnly("assigned", in.Assigned), field("assigned_user", in.AssignedUser),
		field("sku", in.SKU), field("billing_mode", in.BillingMode),
		jsonOnly("frozen", in.Frozen), jsonOnly("logged_in", in.LoggedIn),
		jsonOnly("project_id", in.ProjectID), jsonOnly("project_name", in.ProjectName), jsonOnly("phone_id", in.PhoneID),
		jsonOnly("member_name", in.MemberName), jsonOnly("account_name", in.AccountName),
		jsonOnly("backup", dataJob(in.Backup)), jsonOnly("restore", dataJob(in.Restore)),
	}
}

// dataJob is an instance's last backup or restore, as JSON.
func dataJob(j koophone.DataJob) map[string]any {
	return map[string]any{"status": int(j.Status), "status_name": j.Status.String(), "time": j.Time}
}
