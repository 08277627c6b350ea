package koophonetest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// task is the data of an answer that starts a task.
type task struct {
	ID   string `json:"task_id"`
	Jobs []struct {
		InstanceID string `json:"instance_id"`
		JobID      string `json:"job_id"`
	} `json:"cmd_jobs"`
}

type jobs struct {
	Jobs []struct {
		Status     int    `json:"status"`
		Code       string `json:"error_code"`
		Message    string `json:"error_msg"`
		ExecuteMsg string `json:"execute_msg"`
	} `json:"jobs"`
}

func getTask(t *testing.T, srv *koophonetest.Server, id string) jobs {
	t.Helper()
	r := call(t, srv, "GET", "/v1/instances/tasks/"+id, "")
	require.Equal(t, "0", r.code)
	return into[jobs](t, r)
}

func jobStatuses(t *testing.T, srv *koophonetest.Server, id string) []int {
	t.Helper()
	var out []int
	for _, j := range getTask(t, srv, id).Jobs {
		out = append(out, j.Status)
	}
	return out
}

func TestCommands(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := newServer(t, koophonetest.WithInstances("u", "a", "b"), koophonetest.WithClock(clock.Now), koophonetest.WithTaskDuration(time.Second))
	srv.FailJobs("b", "CPS0005", "Phone not found.")
	r := call(t, srv, "POST", "/v1/instances/sync-command", `{"command":"getprop ro.build","instance_ids":["a","b"]}`)
	require.Equal(t, "0", r.code)
	res := into[struct {
		Results []struct {
			InstanceID string `json:"instance_id"`
			ErrorCode  string `json:"error_code"`
			ExecuteMsg string `json:"execute_msg"`
			Status     int    `json:"status"`
		} `json:"cmd_results"`
	}](t, r)
	require.Len(t, res.Results, 2)
	assert.Equal(t, 2, res.Results[0].Status)
	assert.Equal(t, "getprop ro.build", res.Results[0].ExecuteMsg)
	assert.Equal(t, -1, res.Results[1].Status)
	assert.Equal(t, "CPS0005", res.Results[1].ErrorCode)

	srv.FailJobs("b", "CPS0005", "Phone not found.")
	r = call(t, srv, "POST", "/v1/instances/async-command", `{"command":"ls /sdcard","instance_ids":["a","b"]}`)
	tk := into[task](t, r)
	assert.Equal(t, []int{1, 1}, jobStatuses(t, srv, tk.ID))
	clock.Advance(time.Second)
	j := getTask(t, srv, tk.ID)
	assert.Equal(t, 2, j.Jobs[0].Status)
	assert.Equal(t, "ls /sdcard", j.Jobs[0].ExecuteMsg)
	assert.Equal(t, -1, j.Jobs[1].Status)
	assert.Equal(t, "Phone not found.", j.Jobs[1].Message)

	for _, body := range []string{`{"command":"","instance_ids":["a"]}`, `{"command":"` + strings.Repeat("x", 1025) + `","instance_ids":["a"]}`, `{"command":"ls"}`} {
		assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "POST", "/v1/instances/sync-command", body).code)
	}
	assert.Equal(t, "KOOPHONE.API.4001", call(t, srv, "POST", "/v1/instances/async-command", `{"command":"ls","instance_ids":["zz"]}`).code)
	assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "GET", "/v1/instances/tasks/CMD_unknown", "").code)
	assert.Equal(t, "KOOPHONE.API.1323", call(t, srv, "GET", "/v1/instances/tasks/ZGCA0000", "").code)
}

func TestResetBackupAndReboot(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := newServer(t, koophonetest.WithInstances("u", "i"), koophonetest.WithClock(clock.Now),
		koophonetest.WithInstance(koophonetest.Instance{ID: "off", RunningStatus: 1}))
	c := srv.Client()
	progress := func() koophone.PrepareStatus {
		p, err := c.PrepareProgress(ctx(t), "u", "i")
		require.NoError(t, err)
		return p.Status
	}

	r := call(t, srv, "POST", "/v1/instances/batch-reset", `{"instance_ids":["i"]}`)
	tk := into[task](t, r)
	assert.True(t, strings.HasPrefix(tk.ID, "RM_") && len(tk.ID) > 32, tk.ID)
	assert.Equal(t, koophone.PrepareStatus(4), progress(), "resetting")
	_, l := list(t, srv, "page_no=1&page_size=10&instance_id=i")
	assert.Equal(t, 4, l.Result[0].RunningStatus, "starting")
	clock.Advance(time.Second)
	assert.Equal(t, koophone.PrepareReady, progress())

	r = call(t, srv, "POST", "/v1/instances/backup", `{"instance_ids":["i"]}`)
	require.Equal(t, "0", r.code)
	assert.Equal(t, koophone.PrepareBackingUp, progress())
	_, l = list(t, srv, "page_no=1&page_size=10&instance_id=i")
	assert.Equal(t, 1, l.Result[0].BackupStatus)
	clock.Advance(time.Second)
	_, l = list(t, srv, "page_no=1&page_size=10&instance_id=i")
	assert.Equal(t, 2, l.Result[0].BackupStatus)
	assert.Equal(t, "2026-03-01 08:00:01", l.Result[0].BackupTime)
	assert.Equal(t, koophone.PrepareStatus(6), progress(), "backed up: the machine is released")
	_, err := c.GetDeviceToken(ctx(t), "i", nil)
	assert.ErrorContains(t, err, "KOOPHONE.API.5005")

	r = call(t, srv, "POST", "/v1/instances/reboot", `{"instance_ids":["i","off"]}`)
	assert.Equal(t, "KOOPHONE.API.5005", r.code)
	r = call(t, srv, "POST", "/v1/instances/reboot", `{"instance_ids":["i"]}`)
	assert.Equal(t, "0", r.code)
	assert.Empty(t, r.data)
}

func TestVideoSettings(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	group := `[{"definition_540P":{"code_rate":1000,"fps":30},"definition_720P":{"code_rate":2000,"fps":30},"definition_1080P":{"code_rate":4000,"fps":60}}]`
	var pairs []string
	for _, n := range []string{"MOBILE_NETWORK", "WIFI", "WIRED"} {
		for _, e := range []string{"H264", "H265"} {
			pairs = append(pairs, `{"network_type":"`+n+`","encoding_type":"`+e+`","video_spec_groups":`+group+`}`)
		}
	}
	body := func(settings []string) string {
		return `{"instance_ids":["i"],"instance_settings":[` + strings.Join(settings, ",") + `]}`
	}
	assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "PUT", "/v1/instances/video-setting", body(pairs[:5])).code, "five pairs")
	assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "PUT", "/v1/instances/video-setting", body(append(pairs[:5:5], pairs[0]))).code, "one twice")
	bad := strings.Replace(body(pairs), `"code_rate":1000`, `"code_rate":1050`, 1)
	assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "PUT", "/v1/instances/video-setting", bad).code)
	bad = strings.Replace(body(pairs), `"fps":60`, `"fps":25`, 1)
	assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "PUT", "/v1/instances/video-setting", bad).code)
	assert.Nil(t, srv.VideoSettings("i"))

	assert.Equal(t, "0", call(t, srv, "PUT", "/v1/instances/video-setting", body(pairs)).code)
	assert.JSONEq(t, "["+strings.Join(pairs, ",")+"]", string(srv.VideoSettings("i")))
	assert.Equal(t, 404, call(t, srv, "POST", "/v1/instances/video-setting", body(pairs)).status, "a PUT")
}

func TestInstallAppAndListApps(t *testing.T) {
	t.Parallel()
	for _, nested := range []bool{false, true} {
		clock := newClock()
		opts := []koophonetest.Option{koophonetest.WithInstances("u", "i"), koophonetest.WithClock(clock.Now), koophonetest.WithTaskDuration(2 * time.Second)}
		if nested {
			opts = append(opts, koophonetest.WithInstallAppNestedData())
		}
		srv := newServer(t, opts...)
		body := `{"fast_install":"1","object_name":"com.example.app","file_name":"app.apk","object_version":"2.1","object_size":"12.5",` +
			`"biz_type":"apk","content_type":"application/vnd.android.package-archive","install_package_url":"https://bucket.obs.example.com/app.apk","instance_id_list":["i"]}`
		r := call(t, srv, "POST", "/v1/instances/app/install", body)
		require.Equal(t, "0", r.code)
		tk := into[task](t, r)
		if nested {
			tk = into[struct {
				Data task `json:"data"`
			}](t, r).Data
		}
		assert.True(t, strings.HasPrefix(tk.ID, "ZGCA"), tk.ID)
		assert.Equal(t, []int{0}, jobStatuses(t, srv, tk.ID))
		clock.Advance(time.Second)
		assert.Equal(t, []int{1}, jobStatuses(t, srv, tk.ID))
		assert.Equal(t, 1, appCount(t, srv, "app_type=2"), "not installed yet")
		clock.Advance(time.Second)
		assert.Equal(t, []int{2}, jobStatuses(t, srv, tk.ID))
		assert.Equal(t, 2, appCount(t, srv, "app_type=2"))
		assert.Equal(t, 5, appCount(t, srv, ""))
		assert.Equal(t, 3, appCount(t, srv, "app_type=1"))
	}
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	for _, bad := range []string{`"fast_install":1`, `"object_size":12`, `"install_package_url":"http://x/app.apk"`, `"biz_type":"ipa"`} {
		body := `{` + bad + `,"object_name":"p","file_name":"f","object_version":"1","content_type":"c","instance_id_list":["i"]}`
		assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "POST", "/v1/instances/app/install", body).code, bad)
	}
	for _, q := range []string{"page_no=0&page_size=10", "page_no=1&page_size=201", "page_no=1&page_size=10&app_type=3"} {
		assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "GET", "/v1/instances/i/app-list?"+q, "").code, q)
	}
	assert.Equal(t, "KOOPHONE.API.4001", call(t, srv, "GET", "/v1/instances/zz/app-list?page_no=1&page_size=10", "").code)
}

func TestFailJobsOnAnInstall(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := newServer(t, koophonetest.WithInstances("u", "i"), koophonetest.WithClock(clock.Now))
	srv.FailJobs("i", "CPS0005", "Phone not found.")
	body := `{"fast_install":"0","object_name":"com.example.app","file_name":"app.apk","object_version":"2.1","object_size":"3",` +
		`"biz_type":"apk","content_type":"application/vnd.android.package-archive","install_package_url":"https://obs.example.com/a.apk","instance_id_list":["i"]}`
	tk := into[task](t, call(t, srv, "POST", "/v1/instances/app/install", body))
	clock.Advance(time.Second)
	j := getTask(t, srv, tk.ID)
	assert.Equal(t, 3, j.Jobs[0].Status)
	assert.Equal(t, "CPS0005", j.Jobs[0].Code)
	assert.Equal(t, 1, appCount(t, srv, "app_type=2"), "a failed install adds nothing")
}

func appCount(t *testing.T, srv *koophonetest.Server, query string) int {
	t.Helper()
	r := call(t, srv, "GET", "/v1/instances/i/app-list?page_no=1&page_size=200&"+query, "")
	require.Equal(t, "0", r.code)
	page := into[struct {
		Result []struct {
			Pkg string `json:"app_pkg"`
		} `json:"result"`
		Total int `json:"total_count"`
	}](t, r)
	assert.Len(t, page.Result, page.Total)
	return page.Total
}

// Commands are bounded in bytes, as the service documents: 1024 bytes of
// multibyte characters is the limit, not 1024 characters.
func TestCommandLimitCountsBytes(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "a"))
	ok := strings.Repeat("云", 341) // 1023 bytes
	r := call(t, srv, "POST", "/v1/instances/sync-command", `{"command":"`+ok+`","instance_ids":["a"]}`)
	assert.Equal(t, "0", r.code)
	r = call(t, srv, "POST", "/v1/instances/sync-command", `{"command":"`+ok+`云","instance_ids":["a"]}`)
	assert.Equal(t, "KOOPHONE.API.1000", r.code)
}
