package main

import (
	"context"
	"net/url"
	"path"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/internal/redact"
)

var appsListCmd = command{
	name:  "apps list",
	short: "list the apps installed on an instance",
	long: "List the apps installed on an instance (GET /v1/instances/{instance_id}/app-list): one page " +
		"(--page, --page-size), or every one with --all. With --json, one {\"event\":\"app\"} object per app, then the result.",
	examples: []string{
		"koophone apps list --instance phone-1 --all",
		"koophone apps list --instance phone-1 --type third-party --json",
	},
	exits: callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		var pages pageFlags
		ids := instancesFlag(fs, "the instance id")
		appType := fs.String("type", "", "system or third-party (default: every app)")
		pages.register(fs, 200)
		return func(ctx context.Context, s *session) (*output, error) {
			opts := koophone.ListAppsOptions{PageSize: pages.size}
			var errs problems
			switch *appType {
			case "":
			case "system":
				opts.Type = koophone.AppTypeSystem
			case "third-party":
				opts.Type = koophone.AppTypeThirdParty
			default:
				errs.addf("--type %q: want system or third-party", *appType)
			}
			errs.add(ids.count(1, 1))
			pages.check(&errs)
			if err := errs.err(); err != nil {
				return nil, err
			}
			c, err := s.client(ctx, seed{ids: ids.ids})
			if err != nil {
				return nil, err
			}
			id := ids.ids[0]
			return listing(s, &pages, "app", appRow, c.ListApps(ctx, id, &opts),
				func(n int) ([]koophone.App, pageHead, error) {
					p, err := c.ListAppsPage(ctx, id, n, &opts)
					if err != nil {
						return nil, pageHead{}, err
					}
					return p.Apps, pageHead{p.PageNo, p.PageSize, p.TotalCount, p.RequestID}, nil
				})
		}
	},
}

// appRow is an app's line: package, name and version; JSON adds the icon.
func appRow(a koophone.App) []value {
	return []value{field("package", a.Package), field("name", a.Name), field("version", a.Version), jsonOnly("icon_url", a.IconURL)}
}

var appsInstallCmd = command{
	name:  "apps install",
	short: "install an APK on instances; prints the task (--wait waits for it)",
	long: "Install an APK stored in OBS on instances (POST /v1/instances/app/install) and print the task that does it, " +
		"one job per instance; with --wait, wait for it and print how each job ended (exit 1 if one failed). " +
		"The URL is never printed: a signed URL carries credentials.",
	examples: []string{
		"koophone apps install --instance phone-1 --instance phone-2 --url https://bucket.obs.example.com/app.apk " +
			"--package com.example.app --version 1.2.0 --size-mb 12.5 --wait",
	},
	exits:  allExits,
	failed: "a job failed (with --wait)",
	flags: func(fs *pflag.FlagSet) runFunc {
		var t taskFlags
		var req koophone.InstallAppRequest
		ids := batchFlag(fs)
		fs.StringVar(&req.PackageURL, "url", "", "the https URL of the APK (required)")
		fs.StringVar(&req.PackageName, "package", "", "the package name, e.g. com.example.app (required)")
		fs.StringVar(&req.FileName, "file-name", "", "the APK's file name (default: the URL's last path segment)")
		fs.StringVar(&req.Version, "version", "", "the app's version, e.g. 1.2.0 (required)")
		fs.Float64Var(&req.SizeMB, "size-mb", 0, "the APK's size in MB (required)")
		fs.StringVar(&req.MD5, "md5", "", "the APK's content MD5")
		fs.BoolVar(&req.Fast, "fast", false, "fast install")
		t.register(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			s.hide(redact.URLSecrets(req.PackageURL)) // a failed job's message may quote it
			var errs problems
			errs.add(required(fs, "url", "package", "version", "size-mb"))
			if fs.Changed("size-mb") && !(req.SizeMB > 0) {
				errs.addf("--size-mb %v: want a number above 0", req.SizeMB)
			}
			errs.add(ids.batch())
			errs.add(t.check())
			if err := errs.err(); err != nil {
				return nil, err
			}
			if req.FileName == "" {
				req.FileName = lastSegment(req.PackageURL)
			}
			return t.runOn(ctx, s, ids, func(c *koophone.Client, ids []string) (*koophone.Task, error) {
				req.InstanceIDs = ids
				return c.InstallApp(ctx, req)
			})
		}
	},
}

// lastSegment is the last segment of a URL's path, or "".
func lastSegment(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	if b := path.Base(u.Path); b != "." && b != "/" {
		return b
	}
	return ""
}
