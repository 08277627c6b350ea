package koophone_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone"
)

// documentedCodes is every code of the API reference's error-code page and
// of the operations' pages, as shared/koophone-api.md lists them, with the
// constant that names it and the category it matches (nil: none, so its
// HTTP status decides).
var documentedCodes = []struct {
	code     string
	constant string
	sentinel error
}{
	{"KOOPHONE.API.0000", koophone.CodeTenantNotFound, nil},
	{"KOOPHONE.API.0001", koophone.CodeMissingTenantHeader, nil},
	{"KOOPHONE.API.0002", koophone.CodeMissingRequestID, nil},
	{"KOOPHONE.API.0004", koophone.CodeProjectNotFound, nil},
	{"KOOPHONE.API.0005", koophone.CodeMissingHeader, nil},
	{"KOOPHONE.API.1000", koophone.CodeInvalidParameter, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.1001", koophone.CodePermissionDenied, koophone.ErrPermissionDenied},
	{"KOOPHONE.API.1002", koophone.CodeRegionMismatch, nil},
	{"KOOPHONE.API.1004", koophone.CodeNotSubscribed, nil},
	{"KOOPHONE.API.1012", koophone.CodeTenantMismatch, nil},
	{"KOOPHONE.API.1323", koophone.CodeAppInstallTaskNotFound, koophone.ErrTaskNotFound},
	{"KOOPHONE.API.2001", koophone.CodeCloudAppNotFound, nil},
	{"KOOPHONE.API.2002", koophone.CodeCloudAppNotAuthorized, koophone.ErrPermissionDenied},
	{"KOOPHONE.API.2003", koophone.CodeNoIdleInstance, koophone.ErrNoInstanceAvailable},
	{"KOOPHONE.API.2004", koophone.CodeInstanceFrozen, koophone.ErrOperationNotAllowed},
	{"KOOPHONE.API.2005", koophone.CodeInstanceRecovering, koophone.ErrOperationNotAllowed},
	{"KOOPHONE.API.2006", koophone.CodeInstanceBackingUp, koophone.ErrOperationNotAllowed},
	{"KOOPHONE.API.2210", koophone.CodeBindingNotFound, koophone.ErrNotAssigned},
	{"KOOPHONE.API.3002", koophone.CodeSKUOrRegionNotFound, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.3003", koophone.CodeOSVersionMissing, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.3006", koophone.CodePeriodOutOfRange3006, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.3007", koophone.CodePeriodOutOfRange3007, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.3008", koophone.CodeFastInstallInvalid, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.3009", koophone.CodeInvalidParameter3009, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.4001", koophone.CodeInstanceNotFound, koophone.ErrInstanceNotFound},
	{"KOOPHONE.API.5001", koophone.CodePayPerUseNotDeletable, koophone.ErrOperationNotAllowed},
	{"KOOPHONE.API.5002", koophone.CodeBadTimeFormat, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.5004", koophone.CodeEndBeforeStart, koophone.ErrInvalidParameter},
	{"KOOPHONE.API.5005", koophone.CodeInstancesNotRunning, koophone.ErrOperationNotAllowed},
	{"KOOPHONE.API.9999", koophone.CodeInternal, koophone.ErrInternal},
	{"KPAPI.2209", koophone.CodeNoAssignableDevice, koophone.ErrNoInstanceAvailable},
	{"APIGW.0101", koophone.CodeGatewayAPINotFound, nil},
	{"APIGW.0201", koophone.CodeGatewayBadRequest, nil},
	{"APIGW.0301", koophone.CodeGatewayUnauthorized, koophone.ErrUnauthorized},
	{"APIGW.0302", koophone.CodeGatewayForbidden, koophone.ErrPermissionDenied},
	{"APIGW.0307", koophone.CodeGatewayTokenMustRenew, koophone.ErrUnauthorized},
	{"APIGW.0308", koophone.CodeGatewayThrottled, koophone.ErrThrottled},
}

// Every documented code has its constant and matches its category, sent
// with HTTP 200 as the error-code page has it, in any case and with the
// older prefix.
func TestEveryDocumentedCodeHasAConstantAndItsCategory(t *testing.T) {
	t.Parallel()
	sentinels := []error{koophone.ErrInvalidParameter, koophone.ErrPermissionDenied, koophone.ErrInstanceNotFound,
		koophone.ErrInternal, koophone.ErrUnauthorized, koophone.ErrThrottled, koophone.ErrMalformedResponse,
		koophone.ErrTaskNotFound, koophone.ErrNotAssigned, koophone.ErrNoInstanceAvailable, koophone.ErrOperationNotAllowed}
	for _, tc := range documentedCodes {
		assert.Equal(t, tc.code, tc.constant)
		spellings := []string{tc.code, strings.ToLower(tc.code)}
		if rest, ok := strings.CutPrefix(tc.code, "KOOPHONE.API."); ok {
			spellings = append(spellings, "KP.API."+rest, "KooPhone.API."+rest)
		}
		for _, code := range spellings {
			err := &koophone.APIError{Operation: "Op", HTTPStatus: http.StatusOK, Code: code}
			for _, s := range sentinels {
				assert.Equal(t, s == tc.sentinel, errors.Is(err, s), "%s matching %v", code, s)
			}
		}
	}
}
