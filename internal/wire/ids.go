package wire

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxAnswerIDBytes bounds an id taken from an answer (a task_id, job_id or
// instance_id).
const MaxAnswerIDBytes = 128

// CheckID reports why an id from an answer (a task_id, job_id or
// instance_id) cannot be kept exactly as the service sent it, or nil when
// it can. Such an id is never changed: a sanitised id would name another
// task, job or instance. It must be valid UTF-8 of 1 to 128 bytes, hold no
// control, format (zero-width, bidi) or other invisible character, not be
// only white space, and not be "." or "..", which would change the path of
// a request that names it. The reason starts with a verb ("is empty"), to
// follow the field's name.
func CheckID(id string) error {
	if id != "" && Clean(id, MaxAnswerIDBytes) && id != "." && id != ".." {
		return nil // the common case, without decoding runes
	}
	switch {
	case id == "":
		return errors.New("is missing or empty")
	case len(id) > MaxAnswerIDBytes:
		return fmt.Errorf("is %d bytes long; at most %d are allowed", len(id), MaxAnswerIDBytes)
	case !utf8.ValidString(id):
		return errors.New("is not valid UTF-8")
	case id == "." || id == "..":
		return fmt.Errorf("is %q", id)
	}
	visible := false
	for _, r := range id {
		if invisible(r) {
			return fmt.Errorf("holds %U, a control, format or invisible character", r)
		}
		visible = visible || !unicode.IsSpace(r)
	}
	if !visible {
		return errors.New("is only white space")
	}
	return nil
}

// invisible reports whether r is a character an id must not hold: a
// control character (line and paragraph separators included), a format
// character (zero-width characters, bidi controls) or another character
// Unicode says to ignore when displaying (fillers, variation selectors).
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}
