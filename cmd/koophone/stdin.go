package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// maxStdinIDs bounds what --instance - reads.
const maxStdinIDs = 1 << 20

// readIDs gives each --instance - of fs the ids standard input holds, one
// a line; blank lines are skipped and spaces around an id trimmed.
// Standard input can be read once: by one flag.
func (s *session) readIDs(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		ids, ok := f.Value.(*idList)
		if !ok || !ids.fromStdin || err != nil {
			return
		}
		if err = s.useStdin("--" + f.Name + " -"); err != nil {
			return
		}
		sc := bufio.NewScanner(io.LimitReader(s.stdin, maxStdinIDs+1))
		read := 0
		for sc.Scan() {
			read += len(sc.Bytes()) + 1
			if id := strings.TrimSpace(sc.Text()); id != "" {
				ids.ids = append(ids.ids, id)
			}
		}
		switch {
		case errors.Is(sc.Err(), context.Canceled): // Ctrl-C: exit 130, not a usage error
			err = sc.Err()
		case errors.Is(sc.Err(), bufio.ErrTooLong):
			err = usageErrorf("--%s -: a line of standard input is longer than %d bytes: want one id a line", f.Name, bufio.MaxScanTokenSize)
		case sc.Err() != nil || read > maxStdinIDs:
			err = usageErrorf("--%s -: cannot read standard input (at most %d bytes of ids, one a line)", f.Name, maxStdinIDs)
		case len(ids.ids) == 0:
			err = usageErrorf("--%s -: standard input holds no id", f.Name)
		}
	})
	return err
}

// useStdin records that flag reads standard input, or says that another
// flag does already.
func (s *session) useStdin(flag string) error {
	if s.stdinUsedBy != "" {
		return usageErrorf("%s and %s both read standard input: give one", s.stdinUsedBy, flag)
	}
	s.stdinUsedBy = flag
	return nil
}

// stdinReader reads standard input until ctx ends. A read blocked on a
// terminal, or on a pipe nobody writes, returns at Ctrl-C with an error
// matching ctx's (context.Canceled: exit 130), rather than never: the
// blocked read is left behind, and the process is about to exit.
type stdinReader struct {
	ctx context.Context
	r   io.Reader
}

func (s stdinReader) Read(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, fmt.Errorf("interrupted while reading standard input: %w", err)
	}
	type result struct {
		n   int
		err error
	}
	buf := make([]byte, len(p)) // the read left behind must not write into p
	done := make(chan result, 1)
	go func() {
		n, err := s.r.Read(buf)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return copy(p, buf[:res.n]), res.err
	case <-s.ctx.Done():
		return 0, fmt.Errorf("interrupted while reading standard input: %w", s.ctx.Err())
	}
}
