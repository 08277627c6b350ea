package koophone

import (
	"fmt"
	"iter"
	"math"
	"net/url"
	"strconv"

	"github.com/koophone-go/koophone/internal/wire"
)

// Paging, shared by the paged listings (ListInstances, ListApps): checking
// a page request, reading a page's head, and one pager that turns pages
// into an iterator that always ends.

const defaultPageSize = 100 // the page size when the caller gives 0

// pageQuery checks a page number (from 1) and a page size (1 to most; 0
// for defaultPageSize) and returns them as the query parameters page_no
// and page_size, with the size.
func pageQuery(pageNo, size, most int) (url.Values, int, error) {
	if pageNo < 1 {
		return nil, 0, invalidArg("page number %d: pages start at 1", pageNo)
	}
	if size == 0 {
		size = defaultPageSize
	}
	if err := checkRange("PageSize", size, 1, most); err != nil {
		return nil, 0, err
	}
	return url.Values{"page_no": {strconv.Itoa(pageNo)}, "page_size": {strconv.Itoa(size)}}, size, nil
}

// checkPageInfo checks that a paged answer carries a total count.
func checkPageInfo(p wire.PageInfo) error {
	switch {
	case p.TotalCount == nil:
		return errMissing("data.total_count")
	case *p.TotalCount < 0:
		return fmt.Errorf("data.total_count is negative (%d)", *p.TotalCount)
	}
	return nil
}

// pageHead returns a checked page's number, size and total count, taking
// the number and size asked for where the service did not say.
func pageHead(p wire.PageInfo, askedNo, askedSize int) (no, size, total int) {
	no, size = int(p.PageNo), int(p.PageSize)
	if no <= 0 {
		no = askedNo
	}
	if size <= 0 {
		size = askedSize
	}
	return no, size, int(*p.TotalCount)
}

// pageResult is what the pager needs of a page besides its items.
type pageResult struct {
	size  int // the page size the service used
	total int // total_count
}

// paginate returns the items of a paged listing that fetch(pageNo) returns
// page by page, asking for size items a page (0: defaultPageSize); key
// gives an item's key (its instance id, its package name). Pages are
// fetched as the loop asks for items; a failure is yielded once and ends
// the sequence. It ends after total items (the smallest total any page
// announced: the rest of that page is not yielded), at an empty or short
// page, or after ceil(total/size)+1 pages. A page whose items all came on
// earlier pages (a server ignoring page_no, alternating pages, or sending
// one again with a field changed) ends it with an error matching
// ErrMalformedResponse, rather than going through a huge total one old
// page at a time: see pageMemory for how, and the memory it takes.
func paginate[T any](size int, key func(T) string, fetch func(pageNo int) ([]T, pageResult, error)) iter.Seq2[T, error] {
	if size <= 0 {
		size = defaultPageSize // an invalid size fails in fetch
	}
	return func(yield func(T, error) bool) {
		size, total, yielded := size, math.MaxInt, 0
		seen := newPageMemory()
		for pageNo, last := 1, 1; pageNo <= last; pageNo++ {
			items, p, err := fetch(pageNo)
			if err == nil && seen.seenAll(len(items), func(i int) string { return key(items[i]) }) {
				err = fmt.Errorf("%w: page %d holds only items that earlier pages yielded", ErrMalformedResponse, pageNo)
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if p.size > 0 && p.size < size {
				size = p.size // the service pages by fewer than asked
			}
			total = min(total, max(p.total, 0))
			full := len(items) >= size
			for _, item := range items[:min(len(items), max(total-yielded, 0))] {
				if !yield(item, nil) {
					return
				}
				yielded++
			}
			if !full || yielded >= total {
				return
			}
			last = total / size // then ceil(total/size)+1, without overflowing near MaxInt
			if total%size != 0 {
				last++
			}
			if last < math.MaxInt {
				last++
			}
		}
	}
}
