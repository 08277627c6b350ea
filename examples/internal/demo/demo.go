// Package demo is the one way the examples choose between the fake
// KooPhone service and the real one.
//
// With KOOPHONE_USER_ID unset, an example runs against an in-process fake
// service (package koophonetest): no credentials, no network. With
// KOOPHONE_USER_ID set it talks to the real service:
//
//   - KOOPHONE_USER_ID: the user to work for;
//   - KOOPHONE_INSTANCE_ID: the instance (or several, comma-separated);
//   - credentials from the environment, as koophone.WithEnvCredentials reads
//     them (KOOPHONE_TOKEN, or HUAWEICLOUD_SDK_AK/SK/PROJECT_ID, or the IAM
//     password settings);
//   - KOOPHONE_ENDPOINT, optional, overrides the endpoint.
//
// Against the real service the examples poll at the SDK's default pace;
// against the fake they poll at the pace of its simulated timeline.
package demo

import (
	"errors"
	"strings"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// The environment variables the examples read.
const (
	EnvUserID     = "KOOPHONE_USER_ID"
	EnvInstanceID = "KOOPHONE_INSTANCE_ID"
	EnvEndpoint   = "KOOPHONE_ENDPOINT"
)

// Env is the service an example runs against.
type Env struct {
	Client      *koophone.Client
	Fake        *koophonetest.Server // nil against the real service
	UserID      string
	InstanceIDs []string
	pace        time.Duration
}

// Open returns the real service when KOOPHONE_USER_ID is set, and otherwise
// a fake one holding userID's instanceIDs, built with fakeOpts; pace is the
// fake's poll interval. Call Close when done.
func Open(getenv func(string) string, userID string, instanceIDs []string, pace time.Duration, fakeOpts ...koophonetest.Option) (*Env, error) {
	if getenv(EnvUserID) == "" {
		opts := append([]koophonetest.Option{koophonetest.WithInstances(userID, instanceIDs...)}, fakeOpts...)
		srv := koophonetest.NewServer(opts...)
		return &Env{Client: srv.Client(), Fake: srv, UserID: userID, InstanceIDs: instanceIDs, pace: pace}, nil
	}
	e := &Env{UserID: getenv(EnvUserID)}
	for _, id := range strings.Split(getenv(EnvInstanceID), ",") {
		if id = strings.TrimSpace(id); id != "" {
			e.InstanceIDs = append(e.InstanceIDs, id)
		}
	}
	if len(e.InstanceIDs) == 0 {
		return nil, errors.New("with " + EnvUserID + " set, set " + EnvInstanceID + " too (one id or several, comma-separated)")
	}
	opts := []koophone.Option{koophone.WithEnvCredentials(), koophone.WithUserAgent("koophone-go-example")}
	if endpoint := getenv(EnvEndpoint); endpoint != "" {
		opts = append(opts, koophone.WithEndpoint(endpoint))
	}
	c, err := koophone.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	e.Client = c
	return e, nil
}

// Describe says which service the example runs against.
func (e *Env) Describe() string {
	if e.Fake != nil {
		return "Using the fake KooPhone service at " + e.Fake.URL + " (set " + EnvUserID + ", " + EnvInstanceID + " and credentials to use the real one)."
	}
	return "Using the real KooPhone service."
}

// PollInterval is the wait option for polling: the fake's pace, or the
// SDK's defaults against the real service.
func (e *Env) PollInterval() []koophone.WaitOption {
	if e.Fake == nil {
		return nil
	}
	return []koophone.WaitOption{koophone.WithPollInterval(e.pace/4, e.pace)}
}

// Close stops the fake service, or closes the real client's idle connections.
func (e *Env) Close() {
	if e.Fake != nil {
		e.Fake.Close()
		return
	}
	e.Client.CloseIdleConnections()
}
