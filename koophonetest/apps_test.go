package koophonetest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone/koophonetest"
)

// InstallApp answers a fast_install other than "0" or "1" with the
// documented KOOPHONE.API.3008, and refuses a URL without a host, a size
// that is not above 0 and a content type over 64 characters with 1000.
func TestInstallAppChecksAsDocumented(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	const rest = `"object_name":"p","file_name":"f.apk","object_version":"1","biz_type":"apk","instance_id_list":["i"]`
	for body, want := range map[string]string{
		`{"fast_install":"2","object_size":"1","content_type":"application/octet-stream","install_package_url":"https://h/a.apk",` + rest + `}`:                                              "KOOPHONE.API.3008",
		`{"fast_install":"0","object_size":"1","content_type":"application/octet-stream","install_package_url":"https://:443/a.apk",` + rest + `}`:                                           "KOOPHONE.API.1000",
		`{"fast_install":"0","object_size":"0","content_type":"application/octet-stream","install_package_url":"https://h/a.apk",` + rest + `}`:                                              "KOOPHONE.API.1000",
		`{"fast_install":"0","object_size":"1","content_type":"application/octet-stream-and-then-some-more-text-beyond-64-characters","install_package_url":"https://h/a.apk",` + rest + `}`: "KOOPHONE.API.1000",
		`{"fast_install":"1","object_size":"12.5","content_type":"application/octet-stream","install_package_url":"https://h/a.apk",` + rest + `}`:                                           "0",
	} {
		assert.Equal(t, want, call(t, srv, "POST", "/v1/instances/app/install", body).code, body)
	}
}
