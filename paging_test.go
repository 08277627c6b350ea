package koophone_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

const hugeTotal = 1 << 62

// pageNo is the page a listing request asks for.
func pageNo(r *http.Request) int {
	no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
	return no
}

// TestListingsEndWhateverTheServerSends: pages that bring nothing new end
// a listing with ErrMalformedResponse, under a total of 2^62, after the
// new items were yielded once.
func TestListingsEndWhateverTheServerSends(t *testing.T) {
	t.Parallel()
	pageA, pageB := instancePageBody(0, 3, 1, 3, hugeTotal), instancePageBody(3, 6, 2, 3, hugeTotal)
	for name, tc := range map[string]struct {
		page     func(no int) string
		yielded  int
		requests int
	}{
		"alternating pages": {func(no int) string { return []string{pageA, pageB}[(no-1)%2] }, 6, 3},
		"page 1 again, a field changed": {func(no int) string {
			if no == 1 {
				return pageA
			}
			return strings.ReplaceAll(pageA, `"running_status":2`, fmt.Sprintf(`"running_status":%d`, no))
		}, 3, 2},
		"page 1 again, reordered": {func(no int) string {
			if no == 1 {
				return pageA
			}
			return idsPage(2, 1, 0)
		}, 3, 2},
		"a page with one new item, then that page again": {func(no int) string {
			if no <= 2 {
				return []string{pageA, pageB}[no-1]
			}
			return idsPage(1, 2, 9) // yielded whole: it brings i-00009
		}, 9, 4},
		"old items mixed": {func(no int) string {
			if no <= 2 {
				return []string{pageA, pageB}[no-1]
			}
			return idsPage(4, 0, 2)
		}, 6, 3},
	} {
		c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) { answer(w, http.StatusOK, tc.page(pageNo(r))) })
		ids, errs := collectIDs(c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 3}))
		assert.Len(t, ids, tc.yielded, name)
		require.Len(t, errs, 1, name)
		assert.ErrorIs(t, errs[0], koophone.ErrMalformedResponse, name)
		assert.ErrorContains(t, errs[0], fmt.Sprintf("page %d holds only items that earlier pages yielded", tc.requests), name)
		assert.Len(t, s.Requests(), tc.requests, name)
	}
}

// idsPage is a full ListInstances page of 3 of the instances i-0000n,
// under a total of 2^62.
func idsPage(n ...int) string {
	items := make([]string, len(n))
	for i, id := range n {
		items[i] = fmt.Sprintf(`{"instance_id":"i-%05d"}`, id)
	}
	return `{"data":{"result":[` + strings.Join(items, ",") + `],"page_size":3,"total_count":` + strconv.Itoa(hugeTotal) + `,"error_code":"0"}}`
}

// appPageBody is a ListInstanceApp page of the packages.
func appPageBody(total int, packages ...string) string {
	items := make([]string, len(packages))
	for i, p := range packages {
		items[i] = fmt.Sprintf(`{"app_name":"App","app_version":"1","app_pkg":%q}`, p)
	}
	return fmt.Sprintf(`{"error_code":"0","data":{"result":[%s],"total_count":%d}}`, strings.Join(items, ","), total)
}

func TestListAppsEndsWhateverTheServerSends(t *testing.T) {
	t.Parallel()
	pages := []string{appPageBody(hugeTotal, "com.a", "com.b"), appPageBody(hugeTotal, "com.c", "com.d")}
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		answer(w, http.StatusOK, pages[(pageNo(r)-1)%2])
	})
	var got []string
	var errs []error
	for app, err := range c.ListApps(timeout(t), "i-1", &koophone.ListAppsOptions{PageSize: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, app.Package)
	}
	assert.Equal(t, []string{"com.a", "com.b", "com.c", "com.d"}, got)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], koophone.ErrMalformedResponse)
	assert.Len(t, s.Requests(), 3)
}

// TestListingsGoOnWhileAPageBringsSomethingNew: a page that repeats some
// items but brings one new one does not end the listing.
func TestListingsGoOnWhileAPageBringsSomethingNew(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		no := pageNo(r)
		answer(w, http.StatusOK, instancePageBody(no-1, no+2, no, 3, 10)) // pages overlap by two
	})
	ids, errs := collectIDs(c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 3}))
	require.Empty(t, errs)
	assert.Len(t, ids, 10, "the announced total")
	assert.Len(t, s.Requests(), 4)
}

// ListInstances with PageSize 1 against a service announcing a total_count
// of MaxInt: paging computes its last page as total/size+1, which
// overflows for size 1, and ends silently after the first page although
// it was full and the service had more.
func TestAttackHugeTotalCountDoesNotEndPagingEarly(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		page := r.URL.Query().Get("page_no")
		result := `[]`
		if page == "1" || page == "2" || page == "3" {
			result = `[{"instance_id":"i-` + page + `"}]`
		}
		answer(w, 200, `{"data":{"result":`+result+`,"page_no":`+page+`,"page_size":1,"total_count":9223372036854775807,"error_code":"0","error_msg":"ok"}}`)
	})
	var ids []string
	for inst, err := range c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 1}) {
		require.NoError(t, err)
		ids = append(ids, inst.InstanceID)
	}
	assert.Equal(t, []string{"i-1", "i-2", "i-3"}, ids, strings.Join(ids, ","))
}
