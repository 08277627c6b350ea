package koophone

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
)

// A listing ends at a page that yields nothing new, whatever the server
// sends: a server that alternates two pages, or sends page 1 again with a
// field changed, under a huge total_count, would otherwise be listed for
// ever. Remembering every item would cost memory in the size of the whole
// listing; pageMemory costs one page, 64 KiB and a few bytes per page:
//
//   - a fingerprint of each page's set of keys (8 bytes a page): a page
//     with the same keys as any earlier page, in any order, is caught
//     exactly (but for a 2^-64 chance);
//   - the key hashes of the page before (one page): a page whose keys were
//     all on the page before is caught exactly;
//   - a Bloom filter of every key (64 KiB): a page whose keys all come
//     from earlier pages, mixed, is caught when the filter is empty enough
//     that a page of new keys passes for one of old keys with a chance
//     below 2^-40: for a page of 100 keys, until about 350,000 keys were
//     seen; for a page of one key, in the first 128 or so. So a page of new
//     keys ends a listing by mistake with a chance below 2^-40.
//
// Keys are hashed with a random seed per listing, so a server cannot make
// keys collide on purpose.

// Sizes of the Bloom filter.
const (
	bloomWords  = 8 << 10 // 64 KiB of uint64
	bloomBits   = bloomWords * 64
	bloomHashes = 4
	bloomTrust  = -40 // log2 of the highest chance of a false "all seen" it acts on
)

// pageMemory remembers the keys of one listing's pages; see above. The
// zero value is not ready: use newPageMemory.
type pageMemory struct {
	seed      maphash.Seed
	pages     map[uint64]struct{} // fingerprints of the pages' key sets
	prev, cur []uint64            // sorted distinct key hashes: the page before, this one
	filter    []uint64            // the Bloom filter, from the second page on
	ones      int                 // bits set in filter
}

func newPageMemory() *pageMemory {
	return &pageMemory{seed: maphash.MakeSeed(), pages: make(map[uint64]struct{})}
}

// seenAll records the keys of a page of n items, key(i) being item i's,
// and reports whether every one of them was on an earlier page.
func (m *pageMemory) seenAll(n int, key func(i int) string) bool {
	m.cur = m.cur[:0]
	for i := range n {
		m.cur = append(m.cur, maphash.String(m.seed, key(i)))
	}
	slices.Sort(m.cur)
	m.cur = slices.Compact(m.cur)
	fp := m.fingerprint(m.cur)
	first := len(m.pages) == 0
	if !first && m.filter == nil {
		m.filter = make([]uint64, bloomWords)
		m.addAll(m.prev)
	}
	_, again := m.pages[fp]
	seen := !first && len(m.cur) > 0 && (again || subset(m.cur, m.prev) || m.allInFilter(m.cur))
	m.pages[fp] = struct{}{}
	if !first {
		m.addAll(m.cur)
	}
	m.prev, m.cur = m.cur, m.prev
	return seen
}

// fingerprint hashes a sorted set of key hashes.
func (m *pageMemory) fingerprint(hs []uint64) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seed)
	var b [8]byte
	for _, v := range hs {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	return h.Sum64()
}

// subset reports whether every element of the sorted a is in the sorted b.
func subset(a, b []uint64) bool {
	for _, v := range a {
		if _, ok := slices.BinarySearch(b, v); !ok {
			return false
		}
	}
	return true
}

// bloomBit returns the filter bit of hash h for its i-th hash function.
func bloomBit(h uint64, i int) uint64 {
	return (h + uint64(i)*(h>>32|1)) % bloomBits
}

func (m *pageMemory) addAll(hs []uint64) {
	for _, h := range hs {
		for i := range bloomHashes {
			b := bloomBit(h, i)
			if m.filter[b/64]&(1<<(b%64)) == 0 {
				m.filter[b/64] |= 1 << (b % 64)
				m.ones++
			}
		}
	}
}

// allInFilter reports whether the filter holds every hash of hs, when it
// is empty enough to be trusted for that many (see bloomTrust).
func (m *pageMemory) allInFilter(hs []uint64) bool {
	fill := float64(m.ones) / bloomBits
	if fill == 0 || float64(bloomHashes*len(hs))*math.Log2(fill) > bloomTrust {
		return false
	}
	for _, h := range hs {
		for i := range bloomHashes {
			b := bloomBit(h, i)
			if m.filter[b/64]&(1<<(b%64)) == 0 {
				return false
			}
		}
	}
	return true
}
