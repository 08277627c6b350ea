package koophone

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// page returns the keys from..to-1 as a page for seenAll.
func page(keys ...int) (int, func(int) string) {
	return len(keys), func(i int) string { return "k" + strconv.Itoa(keys[i]) }
}

func keysRange(from, to int) []int {
	out := make([]int, 0, to-from)
	for k := from; k < to; k++ {
		out = append(out, k)
	}
	return out
}

// TestPageMemoryNeverEndsAListingOfNewKeys: listings of distinct keys,
// large ones in pages of 100 and pages of one key, are never taken for
// repeats, the Bloom filter's chance of a mistake being kept tiny.
func TestPageMemoryNeverEndsAListingOfNewKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ pageSize, keys int }{{100, 200_000}, {1, 20_000}, {7, 50_000}} {
		m := newPageMemory()
		for from := 0; from < tc.keys; from += tc.pageSize {
			if m.seenAll(page(keysRange(from, from+tc.pageSize)...)) {
				t.Fatalf("pages of %d: the page from key %d was taken for a repeat", tc.pageSize, from)
			}
		}
	}
}

// TestPageMemoryCatchesRepeats: a page of keys from earlier pages is caught
// by its fingerprint, by the page before, or by the Bloom filter while it
// can be trusted; one new key is enough to go on.
func TestPageMemoryCatchesRepeats(t *testing.T) {
	t.Parallel()
	m := newPageMemory()
	assert.False(t, m.seenAll(page(1, 2, 3)))
	assert.False(t, m.seenAll(page(4, 5, 6)))
	assert.True(t, m.seenAll(page(3, 1, 2)), "the same keys as page 1, in another order")
	assert.True(t, m.seenAll(page(1, 2)), "a subset of the page before")
	assert.True(t, m.seenAll(page(2, 5, 6)), "keys of two earlier pages (the filter)")
	assert.False(t, m.seenAll(page(2, 5, 7)), "one new key")
	assert.False(t, m.seenAll(page()), "an empty page is no repeat (it ends the listing anyway)")

	// After 5,000 keys (3.7% of the filter set) it is trusted for pages of
	// three keys or more, not for fewer; a page seen before is still caught.
	m = newPageMemory()
	for k := range 5000 {
		m.seenAll(page(k))
	}
	assert.True(t, m.seenAll(page(17)), "the fingerprint of an earlier page")
	assert.False(t, m.seenAll(page(4998, 17)), "two old keys mixed: the filter is not trusted for two")
	assert.True(t, m.seenAll(page(4999, 17, 2500)), "three old keys mixed: it is")
}
