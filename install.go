package koophone

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/koophone-go/koophone/internal/redact"
	"github.com/koophone-go/koophone/internal/wire"
)

// Limits InstallApp's page documents, and the default content type.
const (
	maxInstallNameLen  = 100  // object_name, file_name, object_version
	maxMD5Len          = 200  // content_md5
	maxPackageURLLen   = 2000 // install_package_url
	maxContentTypeLen  = 64   // content_type
	defaultContentType = "application/vnd.android.package-archive"
)

// Bounds on InstallAppRequest.SizeMB. The API reference gives the unit (MB)
// and an example (120), no range: the SDK wants at least a byte and at most
// 4 GiB, the most a zip file (an APK) holds without zip64, and sends the
// size rounded to a byte (six decimal places).
const (
	minPackageSizeMB  = 0.000001
	maxPackageSizeMB  = 4096
	packageSizeDigits = 6
)

// InstallAppRequest describes an app to install with [Client.InstallApp].
// The zero value is not valid: InstanceIDs, PackageName, FileName, Version,
// SizeMB and PackageURL are required.
//
// A PackageURL signed by OBS carries credentials in its query: printing a
// request with fmt, encoding it with encoding/json or logging it with
// log/slog shows the URL without its query, user information or fragment.
type InstallAppRequest struct {
	InstanceIDs []string // instance_id_list: 1 to 100 distinct instance ids
	PackageName string   // object_name, ≤ 100 characters, e.g. "com.example.app"
	FileName    string   // file_name, ≤ 100 characters
	Version     string   // object_version, 1 to 100 characters (required)
	SizeMB      float64  // object_size in MB, 0.000001 (a byte) to 4096; sent as a decimal string rounded to 6 places ("12.5", "3")
	PackageURL  string   // install_package_url: the https URL of the APK in OBS, with a host, ≤ 2000; http is refused
	MD5         string   // content_md5, ≤ 200; "" = not sent
	ContentType string   // content_type, ≤ 64; "" = "application/vnd.android.package-archive"
	Fast        bool     // fast_install "1" (else "0")
}

// redacted returns a copy whose PackageURL keeps only its scheme, host
// and path.
func (r InstallAppRequest) redacted() InstallAppRequest { //nolint:gocritic // a copy on purpose
	r.PackageURL = redact.URL(r.PackageURL)
	return r
}

// installAppRequestFields has InstallAppRequest's fields without its
// methods, so that the methods can print a redacted copy without calling
// themselves.
type installAppRequestFields InstallAppRequest

// Format prints the request with its PackageURL redacted, for every verb.
func (r InstallAppRequest) Format(f fmt.State, verb rune) { //nolint:gocritic // a value receiver covers both forms
	fmt.Fprintf(f, fmt.FormatString(f, verb), installAppRequestFields(r.redacted()))
}

// MarshalJSON encodes the request with its PackageURL redacted.
func (r InstallAppRequest) MarshalJSON() ([]byte, error) { //nolint:gocritic // see Format
	return json.Marshal(installAppRequestFields(r.redacted()))
}

// LogValue makes log/slog record the request, every field, with its
// PackageURL redacted.
func (r InstallAppRequest) LogValue() slog.Value { //nolint:gocritic // see Format
	red := r.redacted()
	return slog.GroupValue(slog.Any("instance_ids", red.InstanceIDs), slog.String("package_name", red.PackageName),
		slog.String("file_name", red.FileName), slog.String("version", red.Version),
		slog.Float64("size_mb", red.SizeMB), slog.String("package_url", red.PackageURL),
		slog.String("md5", red.MD5), slog.String("content_type", red.ContentType), slog.Bool("fast", red.Fast))
}

var opInstallApp = operation{name: "InstallApp", method: http.MethodPost, write: true}

// InstallApp installs an APK on req.InstanceIDs and returns the task that
// does it, one job per instance; follow it with [Client.WaitTask]. Install
// jobs go JobNotStarted → JobRunning → JobSucceeded or JobInstallFailed. It
// calls POST /v1/instances/app/install with biz_type "apk". The answer's
// task sits in data or, in older versions of the service, in data.data:
// both are read.
//
// It checks req before sending (see [InstallAppRequest]: lengths, a size
// above zero, an https URL with a host); anything wrong returns an error
// matching [ErrInvalidParameter] and sends nothing. The URL is not quoted in
// errors: a signed OBS URL carries credentials. Being a write, it is retried
// only where the service cannot have acted on it (HTTP 429, or a connection
// that failed before the request was written).
func (c *Client) InstallApp(ctx context.Context, req InstallAppRequest) (*Task, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	in := wire.InstallRequest{
		FastInstall:       "0",
		ObjectName:        req.PackageName,
		FileName:          req.FileName,
		ObjectVersion:     req.Version,
		ObjectSize:        formatSizeMB(req.SizeMB),
		BizType:           "apk",
		ContentType:       req.ContentType,
		ContentMD5:        req.MD5,
		InstallPackageURL: req.PackageURL,
		InstanceIDList:    req.InstanceIDs,
	}
	if req.Fast {
		in.FastInstall = "1"
	}
	if in.ContentType == "" {
		in.ContentType = defaultContentType
	}
	return c.startTask(ctx, opInstallApp, request{path: "/v1/instances/app/install", body: in, secrets: redact.URLSecrets(req.PackageURL), instances: req.InstanceIDs})
}

// check checks every field of r.
func (r *InstallAppRequest) check() error {
	return firstError(
		checkIDs(r.InstanceIDs, maxBatch),
		checkText("package name", r.PackageName, maxInstallNameLen),
		checkText("file name", r.FileName, maxInstallNameLen),
		checkText("version", r.Version, maxInstallNameLen),
		checkLen("md5", r.MD5, maxMD5Len),
		checkLen("content type", r.ContentType, maxContentTypeLen),
		checkPackageURL(r.PackageURL),
		checkSize(r.SizeMB),
	)
}

// checkSize checks a package size in MB: a byte at least once rounded as
// it is sent, 4 GiB at most.
func checkSize(mb float64) error {
	if !(roundSizeMB(mb) >= minPackageSizeMB && mb <= maxPackageSizeMB) {
		return invalidArg("size %v MB: want 0.000001 (a byte) to %d MB", mb, maxPackageSizeMB)
	}
	return nil
}

// roundSizeMB rounds a size in MB to a byte (six decimal places).
func roundSizeMB(mb float64) float64 {
	scale := math.Pow10(packageSizeDigits)
	return math.Round(mb*scale) / scale
}

// formatSizeMB is object_size: a checked size in plain decimal notation
// ("12.5", "0.000001"), never in exponent form.
func formatSizeMB(mb float64) string {
	return strconv.FormatFloat(roundSizeMB(mb), 'f', -1, 64)
}

// knownSchemes are the schemes an error may name ("" is none): a package
// URL's other "schemes" are whatever came before its first colon, which
// may be part of a pasted credential.
var knownSchemes = map[string]bool{
	"": true, "http": true, "ftp": true, "ftps": true, "sftp": true, "file": true, "s3": true, "obs": true,
	"gs": true, "hdfs": true, "ssh": true, "git": true, "ws": true, "wss": true, "data": true,
}

// checkPackageURL checks that u is an https URL with a host, of at most
// 2000 characters. The URL is not quoted: it may be signed.
func checkPackageURL(u string) error {
	if u == "" {
		return invalidArg("package url is empty")
	}
	if err := checkLen("package url", u, maxPackageURLLen); err != nil {
		return err
	}
	parsed, err := url.Parse(u)
	switch {
	case err != nil:
		return invalidArg("package url is not a valid URL")
	case !strings.EqualFold(parsed.Scheme, "https"):
		if knownSchemes[strings.ToLower(parsed.Scheme)] {
			return invalidArg("package url: scheme must be https, not %q", parsed.Scheme)
		}
		return invalidArg("package url: scheme must be https")
	case parsed.Hostname() == "":
		return invalidArg("package url has no host")
	}
	if p := parsed.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalidArg("package url: port %s: want 1 to 65535", p)
		}
	}
	return nil
}
