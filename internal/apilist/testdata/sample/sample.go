package sample

import "context"

const (
	A     = "a"
	B int = 2
	c     = 3
)

var V, w = 1, 2

type S[T any] struct {
	Name string
	x    int
	context.Context
}

type I interface {
	Do(ctx context.Context, n int) (string, error)
	unexported()
}

type Alias = S[int]

type Fn func(string) bool

func New(a, b string, opts ...int) *S[int] { return nil }

func (s *S[T]) Get(ctx context.Context) (v T, err error) { return }

func (s S[T]) hidden() {}

func (l lower) Exported() {}

type lower struct{}
