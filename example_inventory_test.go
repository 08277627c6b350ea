package koophone_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

func ExampleClient_ListInstances() {
	srv := koophonetest.NewServer(koophonetest.WithFleet(250), koophonetest.WithInstances("alice", "phone-a"))
	defer srv.Close()
	client := srv.Client()

	// Pages of 100 are fetched as the loop needs them: three here.
	free := 0
	for in, err := range client.ListInstances(context.Background(), &koophone.ListInstancesOptions{PageSize: 100}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if in.Assigned {
			fmt.Println(in.InstanceID, "is assigned to", in.AssignedUser)
		} else if in.Power == koophone.PowerRunning {
			free++
		}
	}
	fmt.Println(free, "free running instances")
	// Output:
	// phone-a is assigned to alice
	// 250 free running instances
}

func ExampleClient_ListInstancesPage() {
	srv := koophonetest.NewServer(koophonetest.WithFleet(25))
	defer srv.Close()
	client := srv.Client()

	page, err := client.ListInstancesPage(context.Background(), 3, &koophone.ListInstancesOptions{PageSize: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("page %d: %d of %d instances, from %s to %s\n", page.PageNo, len(page.Instances), page.TotalCount,
		page.Instances[0].Name, page.Instances[len(page.Instances)-1].Name)
	// Output:
	// page 3: 5 of 25 instances, from phone-00021 to phone-00025
}

func ExampleClient_ListApps() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-a"))
	defer srv.Close()
	client := srv.Client()

	for app, err := range client.ListApps(context.Background(), "phone-a", &koophone.ListAppsOptions{Type: koophone.AppTypeSystem}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(app.Package, app.Version)
	}
	// Output:
	// com.android.settings 14
	// com.android.contacts 14
	// com.android.browser 14
}

func ExampleClient_ListAppsPage() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-a"))
	defer srv.Close()
	client := srv.Client()

	page, err := client.ListAppsPage(context.Background(), "phone-a", 1, &koophone.ListAppsOptions{PageSize: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d of %d apps: %s, %s\n", len(page.Apps), page.TotalCount, page.Apps[0].Name, page.Apps[1].Name)
	// Output:
	// 2 of 4 apps: Settings, Contacts
}

func ExampleClient_ListSKUs() {
	srv := koophonetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	cat, err := client.ListSKUs(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("band SKU:", cat.BandSKUID)
	for _, region := range cat.Regions {
		for _, sku := range region.SKUs {
			fmt.Println(region.RegionID, sku.ID, sku.BandSizes)
		}
	}
	// Output:
	// band SKU: koophonetest-band
	// cn-north-4 koophonetest-sku-4c8g [2 4 8]
	// cn-north-4 koophonetest-sku-2c4g [2 4]
	// cn-south-1 koophonetest-sku-4c8g [2 4 8]
}

func ExampleClient_CreateInstances() {
	srv := koophonetest.NewServer()
	defer srv.Close()
	client := srv.Client()

	order, err := client.CreateInstances(context.Background(), koophone.CreateInstancesRequest{
		OS:            "AOSP11",
		SKUID:         koophonetest.SKUID, // from ListSKUs
		BandSKUID:     koophonetest.BandSKUID,
		RegionID:      "cn-north-4",
		NamePrefix:    "shop",
		BandwidthMbps: 4,
		Count:         2,
		Charge:        koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 1, AutoPay: true},
	})
	if err != nil {
		// The order may or may not have been placed: list the instances
		// named "shop…" before trying again.
		fmt.Println(err)
		return
	}
	fmt.Println("order", order.OrderID)
	for _, in := range order.Instances {
		fmt.Println(in.InstanceID, in.Name)
	}
	// Output:
	// order CS0000000000000001
	// kp-000001 shop0001
	// kp-000002 shop0002
}

func ExampleClient_DeleteInstances() {
	srv := koophonetest.NewServer(
		koophonetest.WithFleet(2),
		koophonetest.WithInstance(koophonetest.Instance{ID: "on-demand-1", PayPerUse: true}),
	)
	defer srv.Close()
	client := srv.Client()

	err := client.DeleteInstances(context.Background(), []string{"fleet-00001", "fleet-00002"})
	fmt.Println(err)
	err = client.DeleteInstances(context.Background(), []string{"on-demand-1"})
	fmt.Println(errors.Is(err, koophone.ErrOperationNotAllowed))
	// Output:
	// <nil>
	// true
}

func ExampleClient_AssignInstances() {
	srv := koophonetest.NewServer(koophonetest.WithFleet(2))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	err := client.AssignInstances(ctx, []koophone.UserInstance{{UserID: "alice", InstanceID: "fleet-00002"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := client.ListInstancesPage(ctx, 1, &koophone.ListInstancesOptions{InstanceID: "fleet-00002"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(page.Instances[0].Assigned, page.Instances[0].AssignedUser)

	// A user can now prepare the instance and stream it.
	_, err = client.PrepareInstances(ctx, "alice", []string{"fleet-00002"})
	fmt.Println(err)
	// Output:
	// true alice
	// <nil>
}

func ExampleClient_UnassignInstances() {
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-a"))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	task, err := client.UnassignInstances(ctx, []koophone.UserInstance{{UserID: "alice", InstanceID: "phone-a"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(task.Jobs), "job clears alice's data on", task.Jobs[0].InstanceID)

	_, err = client.UnassignInstances(ctx, []koophone.UserInstance{{UserID: "alice", InstanceID: "phone-a"}})
	fmt.Println(errors.Is(err, koophone.ErrNotAssigned))
	// Output:
	// 1 job clears alice's data on phone-a
	// true
}
