package demo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/koophonetest"
)

func TestFakeByDefault(t *testing.T) {
	env, err := Open(func(string) string { return "" }, "u", []string{"a", "b"}, 40*time.Millisecond)
	require.NoError(t, err)
	defer env.Close()
	require.NotNil(t, env.Fake)
	assert.Equal(t, "u", env.UserID)
	assert.Equal(t, []string{"a", "b"}, env.InstanceIDs)
	assert.Len(t, env.PollInterval(), 1)
	assert.Contains(t, env.Describe(), "fake")
}

// The real service is chosen by KOOPHONE_USER_ID, with the endpoint from
// KOOPHONE_ENDPOINT and credentials from the environment: pointed at a fake
// server standing in for the real one, the client must reach it.
func TestRealServiceFromTheEnvironment(t *testing.T) {
	stand := koophonetest.NewServer(koophonetest.WithInstances("real-user", "p1", "p2"))
	defer stand.Close()
	t.Setenv("KOOPHONE_TOKEN", stand.Token())
	vars := map[string]string{EnvUserID: "real-user", EnvInstanceID: " p1, p2 ,", EnvEndpoint: stand.URL}
	env, err := Open(func(k string) string { return vars[k] }, "demo-user", []string{"x"}, time.Millisecond)
	require.NoError(t, err)
	defer env.Close()
	assert.Nil(t, env.Fake)
	assert.Equal(t, "real-user", env.UserID)
	assert.Equal(t, []string{"p1", "p2"}, env.InstanceIDs)
	assert.Nil(t, env.PollInterval(), "the SDK's default pace against the real service")
	_, err = env.Client.PrepareProgress(context.Background(), "real-user", "p1")
	require.NoError(t, err)
	assert.Len(t, stand.Requests(), 1, "KOOPHONE_ENDPOINT is used")

	delete(vars, EnvInstanceID)
	_, err = Open(func(k string) string { return vars[k] }, "demo-user", nil, time.Millisecond)
	assert.ErrorContains(t, err, EnvInstanceID)
}
