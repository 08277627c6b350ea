package koophone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// iamTokenSource caches the tokens its fetcher gets; see NewIAMTokenSource.
type iamTokenSource struct {
	fetcher *iamFetcher
	now     func() time.Time

	mu          sync.Mutex
	token       string
	renewAt     time.Time  // the token is renewed from then on
	usableUntil time.Time  // and no longer used from then on
	retryAt     time.Time  // no renewal before this while the old token is usable
	rejected    error      // IAM's refusal of the credentials: never asked again
	inflight    *iamFlight // the renewal under way, if any
}

// iamFlight is one renewal, shared by the callers that wait for it.
type iamFlight struct {
	done      chan struct{}
	token     string
	err       error
	abandoned bool // the caller that made it gave up before IAM answered
}

func (s *iamTokenSource) describe() string { return s.fetcher.describe() }

// Format prints the source without any secret, for every verb.
func (s *iamTokenSource) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "koophone.IAMTokenSource{%s}", s.describe())
}

// LogValue logs the source without any secret.
func (s *iamTokenSource) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(s)) }

// MarshalJSON encodes the source without any secret.
func (s *iamTokenSource) MarshalJSON() ([]byte, error) { return json.Marshal(fmt.Sprint(s)) }

// Token returns the cached token, renewing it when it is due.
func (s *iamTokenSource) Token(ctx context.Context) (string, error) {
	for {
		s.mu.Lock()
		now := s.now()
		if tok, ok := s.serve(now); ok {
			s.mu.Unlock()
			return tok, nil
		}
		if err := s.rejected; err != nil {
			s.mu.Unlock()
			return "", err
		}
		f := s.inflight
		if f == nil {
			f = &iamFlight{done: make(chan struct{})}
			s.inflight = f
			s.mu.Unlock()
			return s.renew(ctx, f)
		}
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		switch {
		case !f.abandoned:
			return f.token, f.err
		case ctx.Err() != nil:
			return "", ctx.Err()
		}
		// The caller that asked IAM gave up before the answer: ask again for this one.
	}
}

// serve returns the cached token when it is to be used without asking
// IAM: before it is due for renewal, or while it is usable and a renewal
// is under way, failed recently, or would send credentials IAM refused.
// s.mu is held.
func (s *iamTokenSource) serve(now time.Time) (string, bool) {
	if s.token == "" || !now.Before(s.usableUntil) {
		return "", false
	}
	if now.Before(s.renewAt) || s.inflight != nil || s.rejected != nil || now.Before(s.retryAt) {
		return s.token, true
	}
	return "", false
}

// renew asks IAM for a token for the callers of flight f, which the caller
// leads, and keeps the outcome. A failure leaves a usable old token in use.
func (s *iamTokenSource) renew(ctx context.Context, f *iamFlight) (string, error) {
	tok, err := s.fetcher.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight = nil
	now := s.now()
	var iamErr *IAMError
	switch {
	case err == nil:
		s.keep(tok, now)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		f.abandoned = true
	case errors.As(err, &iamErr) && iamErr.rejected():
		s.rejected = err
	default:
		s.retryAt = now.Add(iamRetryFailure)
	}
	f.token, f.err = tok.value, err
	close(f.done)
	if old, ok := s.serve(now); ok && err != nil && !f.abandoned {
		return old, nil
	}
	return f.token, f.err
}

// keep caches tok, which came at now, and sets when to renew it: 15
// minutes before it expires or, for a token that lives shorter than usual
// (a skewed clock), after 80% of its lifetime; never sooner than a minute
// after it came. s.mu is held.
func (s *iamTokenSource) keep(tok iamToken, now time.Time) {
	renewAt := tok.expires.Add(-iamRenewBefore)
	if early := now.Add(tok.expires.Sub(now) * 4 / 5); early.After(renewAt) {
		renewAt = early
	}
	if floor := now.Add(iamMinRenewal); floor.After(renewAt) {
		renewAt = floor
	}
	s.token, s.renewAt, s.retryAt = tok.value, renewAt, time.Time{}
	s.usableUntil = tok.expires.Add(-iamMinValidity)
	if s.usableUntil.Before(renewAt) {
		s.usableUntil = renewAt
	}
}

// InvalidateToken drops token if it is the cached one, so that the next
// Token call fetches a new one.
func (s *iamTokenSource) InvalidateToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token != "" && token == s.token {
		s.token, s.renewAt, s.usableUntil, s.retryAt = "", time.Time{}, time.Time{}, time.Time{}
	}
}
