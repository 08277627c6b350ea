package redislimit_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
	"github.com/koophone-go/koophone/redislimit"
)

// Every replica of a service builds its client this way: together they
// make at most 80 attempts a second of each operation (after a quiet
// spell, a burst of 80 more), for tenant-a. Here an in-process Redis and
// the fake service stand in for the real ones.
func ExampleNew() {
	mr, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer mr.Close()
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()

	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	client := srv.Client(koophone.WithLimiter(redislimit.New(rdb, 80, redislimit.WithKeyPrefix("koophone:tenant-a"))))

	ctx := context.Background()
	if _, err := client.PrepareProgress(ctx, "alice", "phone-1"); err != nil {
		fmt.Println(err)
		return
	}
	keys, err := rdb.Keys(ctx, "rate:*").Result()
	fmt.Println(keys, err)
	// Output: [rate:koophone:tenant-a:ShowProgress] <nil>
}
