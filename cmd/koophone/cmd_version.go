package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var versionCmd = command{
	name:     "version",
	short:    "print the version",
	long:     "Print the version of koophone and of the Go it was built with.",
	examples: []string{"koophone version", "koophone version --json"},
	exits:    offlineExits,
	local:    true,
	flags: func(*pflag.FlagSet) runFunc {
		return func(context.Context, *session) (*output, error) {
			text := fmt.Sprintf("koophone %s (koophone-go SDK, %s %s/%s)", koophone.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return line(jsonOnly("version", koophone.Version), jsonOnly("go", runtime.Version()), textOnly("", text)), nil
		}
	},
}
