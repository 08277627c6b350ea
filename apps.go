package koophone

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/koophone-go/koophone/internal/wire"
)

// AppType chooses which apps [Client.ListApps] lists.
type AppType int

// The app types ListApps filters on.
const (
	AppTypeAll        AppType = 0 // every app: app_type is not sent
	AppTypeSystem     AppType = 1
	AppTypeThirdParty AppType = 2
)

const maxAppPageSize = 200 // the largest page_size ListInstanceApp takes

// ListAppsOptions are the page size and filter of [Client.ListAppsPage]
// and [Client.ListApps]. A nil *ListAppsOptions, like the zero value,
// lists every app 100 at a time.
type ListAppsOptions struct {
	PageSize int     // apps per page: 1 to 200; 0 = 100; negative is invalid
	Type     AppType // AppTypeAll, AppTypeSystem or AppTypeThirdParty
}

// App is an app installed on an instance. Its text comes from the service,
// sanitised.
type App struct {
	Name    string // app_name
	Version string // app_version
	Package string // app_pkg
	IconURL string // icon_url
}

// AppPage is one page of [Client.ListAppsPage].
type AppPage struct {
	Apps       []App
	PageNo     int // 1-based, as the service numbered it (the page asked for, if it did not say)
	PageSize   int // as the service said (the size asked for, if it did not say)
	TotalCount int // apps in the whole listing
	RequestID  string
}

var opListInstanceApp = operation{name: "ListInstanceApp", method: http.MethodGet}

// ListAppsPage returns one page of the apps installed on instanceID;
// pageNo starts at 1. It calls GET /v1/instances/{instance_id}/app-list,
// a read retried on every transient failure. See [Client.ListApps] to go
// through every page.
//
// An instance id that is not 1 to 32 characters, a pageNo below 1 or a bad
// field of opts returns an error matching [ErrInvalidParameter] that names
// it, and sends nothing.
func (c *Client) ListAppsPage(ctx context.Context, instanceID string, pageNo int, opts *ListAppsOptions) (*AppPage, error) {
	var o ListAppsOptions
	if opts != nil {
		o = *opts
	}
	if err := checkID("instance id", instanceID); err != nil {
		return nil, err
	}
	q, size, err := pageQuery(pageNo, o.PageSize, maxAppPageSize)
	if err != nil {
		return nil, err
	}
	switch o.Type {
	case AppTypeAll:
	case AppTypeSystem, AppTypeThirdParty:
		q.Set("app_type", strconv.Itoa(int(o.Type)))
	default:
		return nil, invalidArg("Type is %d; want AppTypeAll (0), AppTypeSystem (1) or AppTypeThirdParty (2)", o.Type)
	}
	var out appPageData
	path := "/v1/instances/" + url.PathEscape(instanceID) + "/app-list"
	id, err := c.do(ctx, opListInstanceApp, request{path: path, query: q}, &out)
	if err != nil {
		return nil, err
	}
	page := &AppPage{Apps: make([]App, len(out.Result)), RequestID: id}
	page.PageNo, page.PageSize, page.TotalCount = pageHead(out.PageInfo, pageNo, size)
	for i, a := range out.Result {
		page.Apps[i] = App{
			Name:    wire.SanitiseMessage(a.AppName),
			Version: wire.SanitiseMessage(string(a.AppVersion)),
			Package: wire.SanitiseMessage(a.AppPkg),
			IconURL: cleanURL(a.IconURL),
		}
	}
	return page, nil
}

// ListApps returns every app installed on instanceID, page after page,
// by the rules of [Client.ListInstances]: pages fetched as the loop asks
// for them and one held at a time, breaking out stops fetching, a failure
// is yielded once as (zero App, err) and ends the sequence, and the
// listing always ends: a page whose apps (by package name) all came on
// earlier pages ends it with an error matching [ErrMalformedResponse].
func (c *Client) ListApps(ctx context.Context, instanceID string, opts *ListAppsOptions) iter.Seq2[App, error] {
	var o ListAppsOptions
	if opts != nil {
		o = *opts
	}
	return paginate(o.PageSize, func(a App) string { return a.Package }, func(pageNo int) ([]App, pageResult, error) {
		p, err := c.ListAppsPage(ctx, instanceID, pageNo, &o)
		if err != nil {
			return nil, pageResult{}, err
		}
		return p.Apps, pageResult{size: p.PageSize, total: p.TotalCount}, nil
	})
}

// maxURLLen bounds a URL taken from an answer.
const maxURLLen = 4096

// cleanURL returns a URL from an answer if it is safe to show and use as
// it is (valid UTF-8, no control or bidi characters, at most 4 KiB), and
// "" otherwise: a URL cut short or changed would mislead.
func cleanURL(s string) string {
	if len(s) > maxURLLen || !utf8.ValidString(s) || controlIndex(s) >= 0 {
		return ""
	}
	return s
}

// appPageData is ListInstanceApp's data, which must carry total_count.
type appPageData wire.AppPageData

func (d *appPageData) Validate() error { return checkPageInfo(d.PageInfo) }
