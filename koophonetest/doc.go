// Package koophonetest provides a fake KooPhone service for tests and
// demos, in the spirit of net/http/httptest: an in-process HTTP server on
// loopback that answers the operations the koophone package calls, with
// state, scripted statuses and faults on demand.
//
//	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "inst-1"))
//	defer srv.Close()
//	client := srv.Client() // a *koophone.Client wired to srv with a valid token
//	client.PrepareInstances(ctx, "user-1", []string{"inst-1"})
//	client.WaitUntilReady(ctx, "user-1", "inst-1")
//
// It needs no testing.TB, keeps no package-level state, and is safe for
// concurrent use. Every Server is independent.
//
// # What it checks, as the service does
//
//   - X-Auth-Token must be the server's token ([Server.Token]): otherwise
//     HTTP 401 with APIGW.0301.
//   - X-Request-Id must be present: otherwise KOOPHONE.API.0002 with HTTP 200.
//   - The body must be JSON with the documented fields and limits (ids of 1
//     to 32 characters, 1 to 100 instance ids): otherwise KOOPHONE.API.1000
//     with HTTP 200.
//   - An instance that was never registered gives KOOPHONE.API.4001, and an
//     instance registered to another user KOOPHONE.API.1001, both with HTTP 200.
//   - An unknown route gives HTTP 404 with APIGW.0101.
//
// # Where it differs from the real service
//
//   - It serves ShowProgress, BatchPrepareInstances, BatchQueryStatus,
//     GetDeviceToken, StopInstancesStreaming and ReleaseInstancesSession;
//     other routes get HTTP 404 with APIGW.0101.
//   - Preparing follows a simple timeline ([Timeline]): queuing with a
//     waitingCount counting down, then restoring, then ready. The real
//     service's timing and the meaning of waitingCount are undocumented.
//     An instance that was registered but never prepared reports ready.
//   - BatchPrepareInstances and BatchQueryStatus report 0 (ready) for a
//     ready instance and 1 (to be restored) for every other.
//   - GetDeviceToken answers only for an instance that was prepared (or
//     scripted) and is ready now, otherwise KOOPHONE.API.5005; its tokens,
//     addresses and signalling URLs are made up (".invalid" hosts).
//     ReleaseInstancesSession ends the preparation too: the instance must be
//     prepared again before its next device token.
//   - It accepts any X-Auth-Token equal to its token; it knows nothing of
//     IAM, projects, tenants, regions or AK/SK signatures, and it does not
//     check that a device token's user owns the instance.
//   - It does not throttle unless told to ([Throttle]).
//   - It speaks plain HTTP on 127.0.0.1, never TLS.
package koophonetest
