package koophonetest

import (
	"fmt"
	"net/url"
	"strconv"
)

// parsePage reads page_no (at least 1) and page_size (1 to maxSize) from
// the query of a paged operation, or returns what is wrong with them.
func parsePage(q url.Values, maxSize int) (pageNo, pageSize int, msg string) {
	pageNo, err := strconv.Atoi(q.Get("page_no"))
	if err != nil || pageNo < 1 {
		return 0, 0, "page_no must be an integer of at least 1"
	}
	pageSize, err = strconv.Atoi(q.Get("page_size"))
	if err != nil || pageSize < 1 || pageSize > maxSize {
		return 0, 0, fmt.Sprintf("page_size must be an integer from 1 to %d", maxSize)
	}
	return pageNo, pageSize, ""
}

// pageOf returns page pageNo (from 1) of size items. A page past the end
// is empty, however large pageNo is (no overflow).
func pageOf[T any](items []T, pageNo, size int) []T {
	n := len(items)
	if pageNo-1 >= (n+size-1)/size {
		return items[n:]
	}
	start := (pageNo - 1) * size
	return items[start:min(start+size, n)]
}
