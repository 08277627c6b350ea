package main

import (
	"fmt"
	"iter"

	"github.com/spf13/pflag"
)

// pageFlags are the flags of a listing: --all, or --page and --page-size.
type pageFlags struct {
	all        bool
	page, size int
	most       int // the largest page size
	fs         *pflag.FlagSet
}

// register adds the listing flags to fs; most is the largest page size.
func (p *pageFlags) register(fs *pflag.FlagSet, most int) {
	p.fs, p.most = fs, most
	fs.BoolVar(&p.all, "all", false, "list everything, page after page")
	fs.IntVar(&p.page, "page", 1, "the page to list, from 1 (not with --all)")
	fs.IntVar(&p.size, "page-size", 100, fmt.Sprintf("items per page, 1 to %d", most))
}

// check adds a problem for --page with --all, and for a page or page size
// out of range.
func (p *pageFlags) check(errs *problems) {
	if p.all && p.fs.Changed("page") {
		errs.addf("--page and --all: give one")
	}
	if p.page < 1 {
		errs.addf("--page %d: want 1 or more", p.page)
	}
	if p.size < 1 || p.size > p.most {
		errs.addf("--page-size %d: want 1 to %d", p.size, p.most)
	}
}

// pageHead is what a listing prints about the page it shows.
type pageHead struct {
	no, size, total int
	requestID       string
}

// listing is a listing's output: with --all every item that all yields,
// printed as it comes (so that memory does not grow with the listing),
// else the page that page returns; row gives an item's values, event
// names its JSON object.
func listing[T any](s *session, p *pageFlags, event string, row func(T) []value,
	all iter.Seq2[T, error], page func(pageNo int) ([]T, pageHead, error)) (*output, error) {
	out := rowsOf(event+"s", nil)
	out.each = event
	if p.all {
		rows := s.rowStream(event)
		defer rows.flush()
		n := 0
		for item, err := range all {
			if err != nil {
				return nil, err
			}
			rows.write(row(item))
			n++
		}
		out.top = []value{jsonOnly("count", n)}
		return out, nil
	}
	items, head, err := page(p.page)
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		out.rows = append(out.rows, row(item))
	}
	out.top = []value{jsonOnly("count", len(out.rows)), jsonOnly("page_no", head.no), jsonOnly("page_size", head.size),
		jsonOnly("total_count", head.total), jsonOnly("request_id", head.requestID)}
	return out, nil
}
