package koophone

import (
	"net/http"
	"strings"
)

// Error codes that KooPhone and its API gateway document. An [APIError]
// carries one of them (or another code the service sends) in its Code field.
// Codes compare case-insensitively; use [APIError.Is] with the sentinel
// errors rather than comparing codes where a category will do.
const (
	CodeOK                     = "0"                 // success
	CodeTenantNotFound         = "KOOPHONE.API.0000" // tenant does not exist
	CodeMissingTenantHeader    = "KOOPHONE.API.0001" // missing header x-tenant-id (added by the gateway)
	CodeMissingRequestID       = "KOOPHONE.API.0002" // missing header x-request-id
	CodeProjectNotFound        = "KOOPHONE.API.0004" // project does not exist
	CodeMissingHeader          = "KOOPHONE.API.0005" // a required header is missing
	CodeInvalidParameter       = "KOOPHONE.API.1000" // bad request parameter
	CodePermissionDenied       = "KOOPHONE.API.1001" // no permission on the instance
	CodeRegionMismatch         = "KOOPHONE.API.1002" // instances are not in the same region
	CodeNotSubscribed          = "KOOPHONE.API.1004" // service not subscribed
	CodeTenantMismatch         = "KOOPHONE.API.1012" // instances do not belong to one tenant
	CodeNoIdleInstance         = "KOOPHONE.API.2003" // no idle instance
	CodeInstanceFrozen         = "KOOPHONE.API.2004" // instance is frozen
	CodeInstanceRecovering     = "KOOPHONE.API.2005" // instance is being recovered
	CodeInstanceBackingUp      = "KOOPHONE.API.2006" // instance is being backed up
	CodeInstanceNotFound       = "KOOPHONE.API.4001" // instance does not exist
	CodeAppInstallTaskNotFound = "KOOPHONE.API.1323" // the app-install task does not exist
	CodeBindingNotFound        = "KOOPHONE.API.2210" // the user–instance binding does not exist
	CodeNoAssignableDevice     = "KPAPI.2209"        // no device can be assigned (note the prefix)
	CodeCloudAppNotFound       = "KOOPHONE.API.2001" // the cloud app does not exist
	CodeCloudAppNotAuthorized  = "KOOPHONE.API.2002" // the cloud app is not authorised
	CodeSKUOrRegionNotFound    = "KOOPHONE.API.3002" // no such SKU or region (a parameter error)
	CodeOSVersionMissing       = "KOOPHONE.API.3003" // the OS version is missing (a parameter error)
	CodePeriodOutOfRange3006   = "KOOPHONE.API.3006" // the period count is out of range (a parameter error)
	CodePeriodOutOfRange3007   = "KOOPHONE.API.3007" // the period count is out of range (a parameter error)
	CodeFastInstallInvalid     = "KOOPHONE.API.3008" // fast_install must be 0 or 1 (a parameter error)
	CodeInvalidParameter3009   = "KOOPHONE.API.3009" // a parameter error
	CodePayPerUseNotDeletable  = "KOOPHONE.API.5001" // pay-per-use instances cannot be deleted
	CodeBadTimeFormat          = "KOOPHONE.API.5002" // a time is not in the documented format
	CodeEndBeforeStart         = "KOOPHONE.API.5004" // the end time is before the start time
	CodeInstancesNotRunning    = "KOOPHONE.API.5005" // not all instances are running
	CodeInternal               = "KOOPHONE.API.9999" // internal service error
	CodeGatewayAPINotFound     = "APIGW.0101"        // API or method does not exist (HTTP 404)
	CodeGatewayBadRequest      = "APIGW.0201"        // bad request, too large, or backend unavailable
	CodeGatewayUnauthorized    = "APIGW.0301"        // IAM authentication failed (HTTP 401)
	CodeGatewayForbidden       = "APIGW.0302"        // the IAM user may not call this API (HTTP 403)
	CodeGatewayTokenMustRenew  = "APIGW.0307"        // the token must be renewed (HTTP 401)
	CodeGatewayThrottled       = "APIGW.0308"        // throttled (HTTP 429)
)

// codePrefixCanonical is the prefix of KooPhone's business codes as the
// SDK spells them; "KooPhone.API." and "KP.API." are read as it.
const codePrefixCanonical = "KOOPHONE.API."

// codePrefixKPAPI is the prefix of the service's business codes that
// the documentation spells KPAPI (KPAPI.2209).
const codePrefixKPAPI = "KPAPI."

// codePrefixAlias is an older spelling of codePrefixCanonical.
const codePrefixAlias = "KP.API."

// codeCategory maps the upper-cased codes that have a category to their sentinel.
var codeCategory = map[string]error{
	strings.ToUpper(CodeInvalidParameter):      ErrInvalidParameter,
	strings.ToUpper(CodePermissionDenied):      ErrPermissionDenied,
	strings.ToUpper(CodeGatewayForbidden):      ErrPermissionDenied,
	strings.ToUpper(CodeInstanceNotFound):      ErrInstanceNotFound,
	strings.ToUpper(CodeInternal):              ErrInternal,
	strings.ToUpper(CodeGatewayUnauthorized):   ErrUnauthorized,
	strings.ToUpper(CodeGatewayTokenMustRenew): ErrUnauthorized,
	strings.ToUpper(CodeGatewayThrottled):      ErrThrottled,
	CodeBadTimeFormat:                          ErrInvalidParameter,
	CodeEndBeforeStart:                         ErrInvalidParameter,
	CodeAppInstallTaskNotFound:                 ErrTaskNotFound,
	CodeBindingNotFound:                        ErrNotAssigned,
	CodeNoIdleInstance:                         ErrNoInstanceAvailable,
	CodeNoAssignableDevice:                     ErrNoInstanceAvailable,
	CodeInstanceFrozen:                         ErrOperationNotAllowed,
	CodeInstanceRecovering:                     ErrOperationNotAllowed,
	CodeInstanceBackingUp:                      ErrOperationNotAllowed,
	CodePayPerUseNotDeletable:                  ErrOperationNotAllowed,
	CodeInstancesNotRunning:                    ErrOperationNotAllowed,
	CodeCloudAppNotAuthorized:                  ErrPermissionDenied,
	CodeSKUOrRegionNotFound:                    ErrInvalidParameter,
	CodeOSVersionMissing:                       ErrInvalidParameter,
	CodePeriodOutOfRange3006:                   ErrInvalidParameter,
	CodePeriodOutOfRange3007:                   ErrInvalidParameter,
	CodeFastInstallInvalid:                     ErrInvalidParameter,
	CodeInvalidParameter3009:                   ErrInvalidParameter,
}

// statusCategory maps HTTP statuses to a sentinel, for codes without a category.
var statusCategory = map[int]error{
	http.StatusBadRequest:          ErrInvalidParameter,
	http.StatusUnauthorized:        ErrUnauthorized,
	http.StatusForbidden:           ErrPermissionDenied,
	http.StatusTooManyRequests:     ErrThrottled,
	http.StatusInternalServerError: ErrInternal,
}

// canonicalCode upper-cases a code and reads the older prefix "KP.API." as
// "KOOPHONE.API.", the spelling of the Code constants.
func canonicalCode(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if strings.HasPrefix(code, codePrefixAlias) {
		code = codePrefixCanonical + code[len(codePrefixAlias):]
	}
	return code
}
