package redislimit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// gate is where the goroutines of a Limiter that wait for one operation
// take turns.
type gate struct {
	turn   chan struct{} // capacity 1: held by the goroutine whose turn it is
	asking atomic.Bool   // Redis has not answered the last request made in turn (rather than said when the quota is due)

	mu       sync.Mutex
	failures int   // requests made in turn that Redis failed
	lastErr  error // the last of them
}

// failure returns how many requests made in turn Redis failed, and the
// last one's error.
func (g *gate) failure() (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failures, g.lastErr
}

// take waits for g's turn, within ctx. It fails when ctx ends first, or
// when Redis failed a request made in turn while it waited: a Redis that
// is down then fails the goroutines in line at once, not each after its
// own wait for go-redis to give up.
func (g *gate) take(ctx context.Context, op string) error {
	seen, _ := g.failure()
	select {
	case g.turn <- struct{}{}:
	case <-ctx.Done():
		if g.asking.Load() {
			return fmt.Errorf("koophone: redislimit: asking Redis for the %s quota (in turn): %w", op, ctx.Err())
		}
		return fmt.Errorf("koophone: redislimit: waiting for the %s quota: %w", op, ctx.Err())
	}
	if n, err := g.failure(); n != seen {
		<-g.turn
		return fmt.Errorf("koophone: redislimit: asking Redis for the %s quota (in turn): %w", op, err)
	}
	return nil
}

// fail records that Redis failed a request made in turn.
func (g *gate) fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failures++
	g.lastErr = err
}

// gate returns the gate of op.
func (l *Limiter) gate(op string) *gate {
	l.mu.Lock()
	defer l.mu.Unlock()
	g, ok := l.gates[op]
	if !ok {
		if l.gates == nil {
			l.gates = make(map[string]*gate)
		}
		g = &gate{turn: make(chan struct{}, 1)}
		l.gates[op] = g
	}
	return g
}
