package koophone_test

import (
	"testing"
	"time"

	"github.com/koophone-go/koophone"
)

func TestTune(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		m := queueModel(300, time.Second, 5*time.Second, time.Second, time.Second, 300*time.Millisecond, seed)
		clk := koophone.NewFakeClock(true)
		_, c := fakeFleet(t, m, clk)
		t.Log("rate ", runFleet(t, c, m, clk, koophone.WithPollRate(100)))
		clk = koophone.NewFakeClock(true)
		_, c = fakeFleet(t, m, clk)
		t.Log("today", runFleet(t, c, m, clk))
	}
}
