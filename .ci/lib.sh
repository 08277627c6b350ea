# Shell functions for .ci/run and .ci/vulncheck, sourced from the repository's root.

step() { printf '\n== %s\n' "$*"; }

# modules prints the directory of every Go module in the repository, one a line, root (.) first.
modules() {
  git ls-files | sed -n 's,\(^\|/\)go\.mod$,,p' | sed 's,^$,.,' | LC_ALL=C sort
}

# in_module DIR CMD...: runs CMD in module DIR. A module that the committed go.work uses is built
# in that workspace; any other (benchmarks, the CI tools) on its own go.mod alone (GOWORK=off).
workspace=$(go list -m -f '{{.Dir}}')
in_module() {
  local dir=$1 gowork=off
  shift
  if grep -qxF "$(cd "$dir" && pwd)" <<<"$workspace"; then gowork=; fi
  (cd "$dir" && GOWORK=$gowork "$@")
}
