package main

import (
	"context"

	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// "apps install ... the URL is never printed: a signed URL carries
// credentials" (README). A service that quotes the URL it was sent, in its
// error or in a failed job's message, gets the signature printed.
func TestAttackEchoedSignedURLIsNeverPrinted(t *testing.T) {
	t.Parallel()
	const signed = "https://bucket.obs.example.com/apps/hello.apk?AccessKeyId=AK&Signature=s3cr3t-SIG-42"
	args := []string{"apps", "install", "--instance", "phone-1", "--url", signed, "--package", "com.example.hello",
		"--version", "1.2", "--size-mb", "12.5"}

	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	srv.FailNextFor("InstallApp", "", 1, koophonetest.APIError(400, koophone.CodeInvalidParameter, "cannot download "+signed))
	r := cli(t, srv, args...)
	assert.Equal(t, exitAPI, r.code, r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, "s3cr3t-SIG-42", "the service's error")

	srv = fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	srv.FailJobs("phone-1", "CPS0005", "download failed: "+signed)
	r = cli(t, srv, append(append(args, "--wait", "--json"), fast...)...)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, "s3cr3t-SIG-42", "a failed job's message")
}

// --json=t (or T, TRUE, True), which the flag package takes as --json and
// which makes a run print JSON, gets no JSON error event for a bad flag or
// command: "with --json ... a JSON error event, for a bad flag or an
// unknown command too" (README).
func TestAttackEveryTrueSpellingOfJSONGetsAnErrorEvent(t *testing.T) {
	t.Parallel()
	for _, form := range []string{"--json=t", "--json=TRUE", "-json=True"} {
		for _, args := range [][]string{{"wait", "--bogus", form}, {"bogus", form}, {"task", form}} {
			r := runCLI(t, context.Background(), args...)
			assert.Equal(t, exitUsage, r.code, args)
			if !assert.NotEmpty(t, r.stdout, "%v: no JSON error event", args) {
				continue
			}
			evs := events(t, r.stdout)
			assert.Len(t, evs, 1, args)
			assert.Equal(t, "error", evs[0]["event"], args)
		}
	}
}
