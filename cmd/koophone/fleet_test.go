package main

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// cli runs the CLI against srv as user-1: the flags that say so go
// before any "--".
func cli(t *testing.T, srv *koophonetest.Server, args ...string) result {
	t.Helper()
	return runCLI(t, context.Background(), beforeDashes(args, against(t, srv))...)
}

// beforeDashes is args with flags inserted before the first "--", or at
// the end.
func beforeDashes(args, flags []string) []string {
	i := slices.Index(args, "--")
	if i < 0 {
		i = len(args)
	}
	return slices.Concat(args[:i], flags, args[i:])
}

// queries are the decoded queries of the requests srv received for op.
func queries(t *testing.T, srv *koophonetest.Server, op string) []url.Values {
	t.Helper()
	var qs []url.Values
	for _, r := range srv.Requests() {
		if r.Operation == op {
			q, err := url.ParseQuery(r.Query)
			require.NoError(t, err)
			qs = append(qs, q)
		}
	}
	return qs
}

func TestInstancesList(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithFleet(3), koophonetest.WithInstances("user-1", "phone-1"))
	r := cli(t, srv, "instances", "list", "--page-size", "2")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "instances-list.txt", r.stdout)

	r = cli(t, srv, "instances", "list", "--all", "--page-size", "2", "--json")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "instances-list.json", r.stdout)
	assert.Len(t, queries(t, srv, "ListInstances"), 1+2, "one page, then two")

	r = cli(t, srv, "instances", "list", "--name", "phone-0000", "--since", "2026-01-01 00:00:00", "--until", "2026-01-02T00:00:00+08:00",
		"--scene", koophone.SceneCloudPhone, "--pool", "pool-cn-north-4", "--order", "desc", "--order-by", "instance_id", "--page", "2", "--page-size", "1")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "fleet-00002\tphone-00002\tcn-north-4\trunning\t\tEnterprise 4vCPUs 8GB\tPERIODIC\n", r.stdout)
	qs := queries(t, srv, "ListInstances")
	q := qs[len(qs)-1]
	for k, want := range map[string]string{"instance_name": "phone-0000", "query_start_time": "2026-01-01 00:00:00",
		"query_end_time": "2026-01-01 16:00:00", "pool_scene_tag": "CLOUD_PHONE", "pool_name": "pool-cn-north-4",
		"order": "desc", "order_by": "instance_id", "page_no": "2", "page_size": "1"} {
		assert.Equal(t, want, q.Get(k), k)
	}
}

func TestListingsOnATerminal(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	var stdout terminal
	var stderr bytes.Buffer
	code := run(context.Background(), append([]string{"instances", "list"}, against(t, srv)...), strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, exitOK, code, stderr.String())
	lines := strings.Split(stdout.String(), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^INSTANCE_ID +NAME +REGION +POWER_NAME +ASSIGNED_USER +SKU +BILLING_MODE$`, lines[0])
	assert.Regexp(t, `^phone-1 +phone-1 +cn-north-4 +running +user-1 +`, lines[1])
}

func TestAppsList(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	r := cli(t, srv, "apps", "list", "--instance", "phone-1", "--type", "third-party")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "com.koophonetest.hello\tKooPhone Hello\t1.0.0\n", r.stdout)
	assert.Equal(t, "app_type=2&page_no=1&page_size=100", lastQuery(srv))

	r = cli(t, srv, "apps", "list", "--instance", "phone-1", "--all", "--page-size", "3", "--json")
	assert.Equal(t, exitOK, r.code, r.stderr)
	evs := events(t, r.stdout)
	require.Len(t, evs, 5, "four apps, then the result")
	assert.Equal(t, "app", evs[0]["event"])
	assert.Equal(t, map[string]any{"event": "result", "command": "apps list", "ok": true, "exit_code": 0.0, "count": 4.0}, evs[4])

	r = cli(t, srv, "apps", "list", "--instance", "phone-404")
	assert.Equal(t, exitAPI, r.code)
	assert.Contains(t, r.stderr, "KOOPHONE.API.4001")
}

func TestSKUs(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t)
	r := cli(t, srv, "skus")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "skus.txt", r.stdout)
	r = cli(t, srv, "skus", "--json")
	evs := events(t, r.stdout)
	assert.Equal(t, koophonetest.BandSKUID, evs[len(evs)-1]["band_sku_id"])
	assert.Equal(t, []any{2.0, 4.0, 8.0}, evs[0]["band_sizes_mbps"])
}

func TestAssignAndUnassign(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithFleet(3))
	r := cli(t, srv, "assign", "--instance", "fleet-00001", "--pair", "user:2:fleet-00002")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "fleet-00002\tuser:2\tassigned\nfleet-00001\tuser-1\tassigned\n", r.stdout)
	in, _ := srv.Instance("fleet-00002")
	assert.Equal(t, "user:2", in.User, "the user is what comes before the last colon")

	r = cli(t, srv, "unassign", "--instance", "fleet-00001")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^UA_[0-9a-f]{32}\nfleet-00001\tjob-[0-9a-f]{16}\n$`, r.stdout)

	r = cli(t, srv, append([]string{"unassign", "--pair", "user:2:fleet-00002", "--wait"}, fast...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^UA_[0-9a-f]{32}\njob-[0-9a-f]{16}\tfleet-00002\tsucceeded\t\t\t\n$`, r.stdout)

	r = cli(t, srv, "unassign", "--instance", "fleet-00003")
	assert.Equal(t, exitAPI, r.code, "not assigned")
	assert.Contains(t, r.stderr, "KOOPHONE.API.2210")
	r = cli(t, srv, "assign", "--pair", "someone:fleet-00001", "--pair", "user-1:fleet-00404")
	assert.Equal(t, exitAPI, r.code)
}

var order = []string{"--region", "cn-north-4", "--sku", koophonetest.SKUID, "--band-sku", koophonetest.BandSKUID, "--os", "AOSP11",
	"--name-prefix", "ci", "--bandwidth", "4", "--count", "2", "--period", "year", "--period-count", "1", "--auto-pay", "--auto-renew",
	"--network", "EIP", "--node-group", "ng-1"}

func TestCreate(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t)
	r := cli(t, srv, append([]string{"create"}, order...)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "koophone create: this command buys instances and spends money: add --yes to confirm")
	assert.Empty(t, srv.Requests(), "nothing is sent without --yes")

	r = cli(t, srv, append([]string{"create", "--yes", "--json"}, order...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "create.json", r.stdout)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"os":"AOSP11","instanceSkuId":"koophonetest-sku-4c8g","bandSkuId":"koophonetest-band","regionId":"cn-north-4",
		"instanceNamePrefix":"ci","bandSize":4,"count":2,"network":"EIP","nodeGroupId":"ng-1",
		"chargeParam":{"chargingMode":1,"periodType":3,"periodNum":1,"isAutoPay":1,"isAutoRenew":1}}`, string(reqs[0].Body))

	r = cli(t, srv, append([]string{"create", "--yes"}, order...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "CS0000000000000002\nkp-000003\tci0003\nkp-000004\tci0004\n", r.stdout)

	srv.FailNext(1, koophonetest.APIError(200, "KOOPHONE.API.3002", "order failed"))
	r = cli(t, srv, append([]string{"create", "--yes"}, order...)...)
	assert.Equal(t, exitAPI, r.code)
	assert.Contains(t, r.stderr, "KOOPHONE.API.3002")
}

func TestDelete(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	r := cli(t, srv, "delete", "--instance", "phone-1")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "this command deletes instances: add --yes to confirm")
	assert.Empty(t, srv.Requests(), "nothing is sent without --yes")

	r = cli(t, srv, "delete", "--yes", "--instance", "phone-1", "--instance", "phone-2")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "phone-1\tdeleted\nphone-2\tdeleted\n", r.stdout)
	_, ok := srv.Instance("phone-1")
	assert.False(t, ok)

	r = cli(t, srv, "delete", "--yes", "--instance", "phone-1")
	assert.Equal(t, exitAPI, r.code)
	assert.Contains(t, r.stderr, "KOOPHONE.API.4001")
}
