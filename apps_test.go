package koophone_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestListAppsPageWireFormatAndAnswer(t *testing.T) {
	t.Parallel()
	var log queryLog
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		log.add(r)
		answer(w, http.StatusOK, `{"error_code":"0","error_msg":"OK","data":{"result":[
			{"app_name":"Settings","app_version":"14","app_pkg":"com.android.settings","icon_url":"https://obs.example/icon.png"},
			{"app_name":"Game\u202e","app_version":2.5,"app_pkg":"com.example.game","icon_url":"https://x\n.example/"}],
			"page_no":"2","page_size":"2","total_count":"5"}}`)
	})
	page, err := c.ListAppsPage(timeout(t), "i 1", 2, &koophone.ListAppsOptions{PageSize: 2, Type: koophone.AppTypeThirdParty})
	require.NoError(t, err)
	assert.Equal(t, []koophone.App{
		{Name: "Settings", Version: "14", Package: "com.android.settings", IconURL: "https://obs.example/icon.png"},
		{Name: "Game", Version: "2.5", Package: "com.example.game", IconURL: ""},
	}, page.Apps, "text sanitised; a URL with a control character dropped, not changed")
	assert.Equal(t, 2, page.PageNo)
	assert.Equal(t, 2, page.PageSize)
	assert.Equal(t, 5, page.TotalCount)

	_, err = c.ListAppsPage(timeout(t), "i-1", 1, nil)
	require.NoError(t, err)
	reqs, queries := s.Requests(), log.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/instances/i 1/app-list", reqs[0].Path)
	assert.Equal(t, url.Values{"page_no": {"2"}, "page_size": {"2"}, "app_type": {"2"}}, queries[0])
	assert.Equal(t, url.Values{"page_no": {"1"}, "page_size": {"100"}}, queries[1], "AppTypeAll sends no app_type")
	assert.Equal(t, page.RequestID, reqs[0].Header.Get("X-Request-Id"))
}

func TestListAppsPageRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"result":[],"total_count":0}}`))
	tests := []struct {
		id     string
		pageNo int
		opts   koophone.ListAppsOptions
		want   string
	}{
		{"", 1, koophone.ListAppsOptions{}, "instance id is empty"},
		{"..", 1, koophone.ListAppsOptions{}, `instance id ".." is not allowed`},
		{strings.Repeat("i", 33), 1, koophone.ListAppsOptions{}, "instance id has 33 characters"},
		{"i-1", 0, koophone.ListAppsOptions{}, "page number 0"},
		{"i-1", 1, koophone.ListAppsOptions{PageSize: 201}, "PageSize is 201; want 1 to 200"},
		{"i-1", 1, koophone.ListAppsOptions{PageSize: -1}, "PageSize is -1"},
		{"i-1", 1, koophone.ListAppsOptions{Type: 3}, "Type is 3"},
		{"i-1", 1, koophone.ListAppsOptions{Type: -1}, "Type is -1"},
	}
	for _, tt := range tests {
		_, err := c.ListAppsPage(timeout(t), tt.id, tt.pageNo, &tt.opts)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())
	_, err := c.ListAppsPage(timeout(t), "i-1", 1, &koophone.ListAppsOptions{PageSize: 200, Type: koophone.AppTypeSystem})
	require.NoError(t, err)
}

func TestListAppsPageMalformedAndErrors(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"result":[]}}`))
	_, err := c.ListAppsPage(timeout(t), "i-1", 1, nil)
	assert.ErrorIs(t, err, koophone.ErrMalformedResponse)
	assert.ErrorContains(t, err, "ListInstanceApp")
	assert.ErrorContains(t, err, "data.total_count is missing")

	assertCodes(t, topLevel, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.ListAppsPage(ctx, "i-1", 1, nil)
		return err
	}, []codeCase{
		{koophone.CodeInstanceNotFound, koophone.ErrInstanceNotFound},
		{koophone.CodePermissionDenied, koophone.ErrPermissionDenied},
		{koophone.CodeInvalidParameter, koophone.ErrInvalidParameter},
		{koophone.CodeInternal, koophone.ErrInternal},
	})
}

// appPager serves total apps ("app-0", ...) paged as asked.
func appPager(total int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		var items []string
		for i := min((no-1)*size, total); i < min(no*size, total); i++ {
			items = append(items, fmt.Sprintf(`{"app_name":"app-%d","app_pkg":"com.example.a%d"}`, i, i))
		}
		answer(w, http.StatusOK, fmt.Sprintf(`{"error_code":"0","data":{"result":[%s],"page_no":%d,"page_size":%d,"total_count":%d}}`,
			strings.Join(items, ","), no, size, total))
	}
}

func TestListAppsGoesThroughEveryPageAndStopsWhenAsked(t *testing.T) {
	t.Parallel()
	c, s := setup(t, appPager(7))
	var names []string
	for app, err := range c.ListApps(timeout(t), "i-1", &koophone.ListAppsOptions{PageSize: 3}) {
		require.NoError(t, err)
		names = append(names, app.Name)
	}
	assert.Equal(t, []string{"app-0", "app-1", "app-2", "app-3", "app-4", "app-5", "app-6"}, names)
	assert.Len(t, s.Requests(), 3)

	for range c.ListApps(timeout(t), "i-1", &koophone.ListAppsOptions{PageSize: 3}) {
		break
	}
	assert.Len(t, s.Requests(), 4, "breaking stops fetching")

	n := 0
	for _, err := range c.ListApps(timeout(t), "", nil) {
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		n++
	}
	assert.Equal(t, 1, n, "a bad argument is yielded once")
	assert.Len(t, s.Requests(), 4)
}
