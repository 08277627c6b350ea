package apilist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/internal/apilist"
)

func TestListing(t *testing.T) {
	got, err := apilist.Listing("testdata/sample")
	require.NoError(t, err)
	assert.Equal(t, `pkg sample, const A = "a"
pkg sample, const B int = 2
pkg sample, func New(string, string, ...int) *S[int]
pkg sample, method (*S[T]) Get(context.Context) (T, error)
pkg sample, type Alias = S[int]
pkg sample, type Fn func(string) bool
pkg sample, type I interface
pkg sample, type I interface, Do(context.Context, int) (string, error)
pkg sample, type I interface, unexported methods
pkg sample, type S[T any] struct
pkg sample, type S[T any] struct, Name string
pkg sample, type S[T any] struct, embedded context.Context
pkg sample, var V
`, got)
}

func TestListingOfNothing(t *testing.T) {
	_, err := apilist.Listing(t.TempDir())
	assert.Error(t, err)
}
