package koophonetest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// installTaskPrefix starts the id of an app-install task.
const installTaskPrefix = "ZGCA"

// maxAppPageSize is the largest page_size ListInstanceApp accepts.
const maxAppPageSize = 200

// WithInstallAppNestedData makes InstallApp answer its task in data.data,
// as older versions of the service do, instead of in data.
func WithInstallAppNestedData() Option { return func(s *Server) { s.nestInstall = true } }

// appJSON is an item of ListInstanceApp's result.
type appJSON struct {
	Name    string `json:"app_name"`
	Version string `json:"app_version"`
	Package string `json:"app_pkg"`
	IconURL string `json:"icon_url"`
}

// systemApps and bundledApps are on every instance: app_type 1 and 2.
var (
	systemApps = []appJSON{
		newApp("Settings", "14", "com.android.settings"),
		newApp("Contacts", "14", "com.android.contacts"),
		newApp("Browser", "14", "com.android.browser"),
	}
	bundledApps = []appJSON{newApp("KooPhone Hello", "1.0.0", "com.koophonetest.hello")}
)

func newApp(name, version, pkg string) appJSON {
	return appJSON{Name: name, Version: version, Package: pkg, IconURL: "https://icons.koophonetest.invalid/" + pkg + ".png"}
}

// appPageJSON is ListInstanceApp's data.
type appPageJSON struct {
	Result     []appJSON `json:"result"`
	PageNo     int       `json:"page_no"`
	PageSize   int       `json:"page_size"`
	TotalCount int       `json:"total_count"`
}

// listApps answers ListInstanceApp: GET /v1/instances/{instance_id}/app-list.
// Every instance has the same three system apps and one third-party app,
// then the apps installed on it.
func (s *Server) listApps(r *http.Request, _ []byte) reply {
	id, q := r.PathValue("instance_id"), r.URL.Query()
	pageNo, pageSize, pageMsg := parsePage(q, maxAppPageSize)
	appType := q.Get("app_type")
	if msg := firstError(checkID("instance_id", &id), pageMsg,
		check(slices.Contains([]string{"", "1", "2"}, appType), "app_type must be 1 or 2"),
	); msg != "" {
		return invalid("%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.get(id)
	if !ok {
		return notFound()
	}
	var apps []appJSON
	if appType != "2" {
		apps = append(apps, systemApps...)
	}
	if appType != "1" {
		apps = append(append(apps, bundledApps...), in.apps...)
	}
	page := append([]appJSON{}, pageOf(apps, pageNo, pageSize)...) // [] rather than null
	return success(appPageJSON{Result: page, PageNo: pageNo, PageSize: pageSize, TotalCount: len(apps)})
}

// installJSON is the body of InstallApp: fast_install and object_size are strings.
type installJSON struct {
	FastInstall   string   `json:"fast_install"`
	ObjectName    string   `json:"object_name"`
	FileName      string   `json:"file_name"`
	ObjectVersion string   `json:"object_version"`
	ObjectSize    string   `json:"object_size"`
	BizType       string   `json:"biz_type"`
	ContentType   string   `json:"content_type"`
	ContentMD5    string   `json:"content_md5"`
	URL           string   `json:"install_package_url"`
	InstanceIDs   []string `json:"instance_id_list"`
}

// check returns what is wrong with an InstallApp body, or "".
func (a installJSON) check() string {
	size, err := strconv.ParseFloat(a.ObjectSize, 64)
	u, errURL := url.Parse(a.URL)
	return firstError(
		check(a.FastInstall == "0" || a.FastInstall == "1", `fast_install must be "0" or "1"`),
		checkLen("object_name", a.ObjectName, 1, 100), checkLen("file_name", a.FileName, 1, 100),
		checkLen("object_version", a.ObjectVersion, 1, 100),
		check(err == nil && size > 0, "object_size must be a number of MB above 0, as a string"),
		check(a.BizType == "apk", `biz_type must be "apk"`),
		checkLen("content_type", a.ContentType, 1, 64), checkLen("content_md5", a.ContentMD5, 0, 200),
		checkLen("install_package_url", a.URL, 1, 2000),
		check(errURL == nil && u.Scheme == "https" && u.Hostname() != "", "install_package_url must be an https URL with a host"),
		checkIDList("instance_id_list", a.InstanceIDs),
	)
}

// installApp answers InstallApp: POST /v1/instances/app/install, with a
// task ("ZGCA…") whose jobs go 0 → 1 → 2 (or 3); a finished install adds
// the app to ListInstanceApp (replacing the same package).
func (s *Server) installApp(_ *http.Request, body []byte) reply {
	var in installJSON
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if in.FastInstall != "" && in.FastInstall != "0" && in.FastInstall != "1" {
		return fail(codeFastInstall, `fast_install must be "0" or "1"`) // as the error-code page has it
	}
	if msg := in.check(); msg != "" {
		return invalid("%s", msg)
	}
	app := newApp(strings.TrimSuffix(in.FileName, ".apk"), in.ObjectVersion, in.ObjectName)
	return s.onInstances(in.InstanceIDs, func(insts []*instance) reply {
		t := s.startTask(installTaskPrefix, insts, jobSpec{kind: installJob, output: "install success",
			effect: func(inst *instance, failed bool, _ time.Time) {
				if !failed {
					inst.apps = append(slices.DeleteFunc(inst.apps, func(a appJSON) bool { return a.Package == app.Package }), app)
				}
			}})
		if s.nestInstall {
			return success(map[string]any{"data": t})
		}
		return success(t)
	})
}
