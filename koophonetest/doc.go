// Package koophonetest provides a fake KooPhone service for tests and
// demos, in the spirit of net/http/httptest: an in-process HTTP server on
// loopback that answers all 21 operations of the KooPhone API over one
// consistent inventory of instances, with scripted statuses, tasks that
// move on a clock you can control, and faults on demand.
//
//	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "inst-1"))
//	defer srv.Close()
//	client := srv.Client() // a *koophone.Client wired to srv with a valid token
//	client.PrepareInstances(ctx, "user-1", []string{"inst-1"})
//	client.WaitUntilReady(ctx, "user-1", "inst-1")
//
// It needs no testing.TB, keeps no package-level state, and is safe for
// concurrent use. Every Server is independent. It defines its own wire
// structs from the API reference, so a client's wire mistake shows.
// Parallel tests may share one Server: each then uses instances of its own
// and queues faults with [Server.FailNextFor] naming one of them, as
// [Server.FailNext]'s faults go to whichever request comes next, another
// test's included.
//
// # The inventory
//
// Instances come from [WithInstances] and [Server.AddInstance] (assigned
// to a user), [WithFleet] (n unassigned instances "fleet-00001", …),
// [WithInstance] (every field), [Server.Script] (usable by any user) and
// CreateInstance. Each has a name, a region, a SKU, a power state, an
// assignment, a billing mode, backup and restore states; ListInstances
// shows them, [Server.Instance] too.
//
// One rule decides readiness, for ShowProgress, BatchPrepareInstances and
// GetDeviceToken alike: an instance is ready (status 0, state 0, device
// tokens issued) unless it is being prepared, reset or backed up, is not
// running, or was released or backed up since it was
// last prepared. An instance never prepared is therefore ready. While not
// ready, GetDeviceToken answers KOOPHONE.API.5005 and ShowProgress reports
// where it is: 1 queuing and 2 restoring along the [Timeline], 3 backing
// up, 4 resetting, 6 offline (values of the pre-October-2025 list).
// BatchPrepareInstances restarts the timeline of an instance never
// prepared or offline, and reports 1 (to be restored) for it.
//
// BatchQueryStatus answers each instance's power state, as the API
// reference's description and the official SDK's model read that status
// (0 unknown, 1 stopped, 2 running, 3 going offline, 4 starting while it
// is being reset, 5 shut down): the running_status ListInstances shows,
// not the instance states of BatchPrepareInstances.
//
// # What it checks, as the service does
//
//   - X-Auth-Token must be the server's token ([Server.Token]), unless the
//     request is signed instead (below): otherwise HTTP 401 with
//     APIGW.0301.
//   - With [WithAKSK] or [WithTemporaryAKSK], a request without
//     X-Auth-Token must be signed in the SDK-HMAC-SHA256 scheme with one
//     of the server's key pairs: an Authorization header "SDK-HMAC-SHA256
//     Access=…, SignedHeaders=…, Signature=…" naming a known access key;
//     X-Sdk-Date as 20060102T150405Z within 15 minutes of the server's
//     clock; X-Project-Id equal to the key's project; for a temporary key,
//     its X-Security-Token; every signed header present (host included);
//     and the signature of the request as received: method, escaped path,
//     raw query, the signed headers' values and the body. Otherwise HTTP
//     401 with APIGW.0301, whose message says what was wrong.
//   - X-Request-Id must be present (and, on ListInstances, the x-request-id
//     query parameter, once, equal to the header): otherwise
//     KOOPHONE.API.0002.
//   - The body and query must hold the documented fields within the
//     documented limits (ids of 1 to 32 characters, 1 to 100 per batch,
//     commands of 1 to 1024 bytes, all six video network × encoding pairs,
//     https package URLs, …): otherwise KOOPHONE.API.1000, but for
//     CreateInstance's documented codes: 3002 for an SKU, band SKU or
//     region the catalog does not have, 3003 for a missing os, 3006 for a
//     periodNum of months outside 1 to 9, 3007 for one of years outside 1
//     to 3.
//   - An unknown instance gives KOOPHONE.API.4001; an instance assigned to
//     another user KOOPHONE.API.1001 on ShowProgress and
//     BatchPrepareInstances. ListInstances' error code sits inside data.
//   - Business errors come with HTTP 400 for 1000, 1001 and 4001, 500 for
//     9999 and 200 for the others, as the operation pages document;
//     [WithBusinessErrorsAsHTTP200] sends them all with 200, as the
//     error-code page documents.
//   - An unknown route or method gives HTTP 404 with APIGW.0101.
//
// # Where it differs from the real service
//
//   - It rejects a body with a field the operation does not document.
//   - ListInstances refuses an x-request-id query parameter that differs
//     from the X-Request-Id header, or is given twice, with
//     KOOPHONE.API.0002, as for a missing one: the API reference says they
//     are the same id but not what the service does when they differ.
//   - Timings are made up: preparing follows a [Timeline] of polls or
//     durations; each task job runs for [WithTaskDuration] (20 ms by
//     default) on the server's clock ([WithClock]).
//   - ListInstances matches instance_name as a substring and the time
//     bounds against creation times (inclusive); order_by takes
//     create_time, instance_name or instance_id; page_size is at most 1000.
//   - Assigning an instance assigned to another user gives
//     KOOPHONE.API.2003 (the real code is undocumented); an unknown task
//     gives KOOPHONE.API.1323 for an app-install id ("ZGCA…") and
//     KOOPHONE.API.1000 for any other.
//   - A command's output (execute_msg) is the command itself; a job fails
//     only when [Server.FailJobs] says so. Installed apps appear in
//     ListInstanceApp next to three system apps and one third-party app
//     that every instance has.
//   - Device tokens, addresses, signalling URLs, project and account
//     names are made up (".invalid" hosts); the SKU catalog is a small
//     fixed one ([SKUID], [BandSKUID]); orders cost nothing.
//   - It accepts any X-Auth-Token equal to its token, and signatures made
//     with the key pairs it was given; it knows nothing of IAM, projects
//     or tenants (X-Project-Id must only match the key's project; a
//     permanent key's X-Security-Token is not looked at), never locks an
//     access key after failures, and it does not check that a device
//     token's user owns the instance. It signs again as the official SDKs
//     sign: signed header names must be lower-case and sorted, include
//     host and x-sdk-date and leave out content-type.
//   - It does not throttle unless told to ([Throttle]).
//   - It speaks plain HTTP on 127.0.0.1, never TLS.
package koophonetest
