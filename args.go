package koophone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Argument checks. Every operation checks its arguments with these before
// anything is sent; a failure is an error matching [ErrInvalidParameter]
// that names the argument.

// Limits the API reference gives.
const (
	maxIDLen        = 32   // a user or instance id
	maxTaskIDLen    = 128  // a task id (real ones such as "RM_6837…" exceed 32)
	maxBatch        = 100  // ids in one batch
	maxCommandBytes = 1024 // a command, in bytes
)

// checkID checks a user or instance id: 1 to 32 characters, none of them
// control characters. An id can become a path segment, so "." and ".."
// are refused too.
func checkID(name, id string) error {
	return checkText(name, id, maxIDLen)
}

// checkText checks an identifier of 1 to most characters without control
// or formatting characters that is not only white space, nor "." or "..".
func checkText(name, s string, most int) error {
	if len(s) <= most && printableASCII(s) && !blank(s) && s != "." && s != ".." {
		return nil // the common case, without decoding runes
	}
	n := utf8.RuneCountInString(s)
	switch {
	case s == "":
		return invalidArg("%s is empty", name)
	case n > most:
		return invalidArg("%s has %d characters; at most %d are allowed", name, n, most)
	case !utf8.ValidString(s):
		return invalidArg("%s is not valid UTF-8", name)
	case s == "." || s == "..":
		return invalidArg("%s %q is not allowed", name, s)
	}
	if i := controlIndex(s); i >= 0 {
		return invalidArg("%s %q contains %s", name, s, describeRune(s, i))
	}
	if blank(s) {
		return invalidArg("%s %q is only white space", name, s)
	}
	return nil
}

// blank reports whether s is empty or only white space.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// describeRune names the rune at byte i of s, one controlIndex found.
func describeRune(s string, i int) string {
	r, _ := utf8.DecodeRuneInString(s[i:])
	kind := "a control character"
	if !unicode.IsControl(r) {
		kind = "an invisible formatting control character"
	}
	return fmt.Sprintf("%s (%U) at byte %d", kind, r, i)
}

// printableASCII reports whether every byte of s is a printable ASCII
// character (space to tilde): such text has no control or bidi character.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// controlIndex returns the byte index of the first control or formatting
// character in s, or -1. Formatting characters (Unicode's Cf: zero-width
// characters, bidi controls such as U+202E) are invisible: they make text
// look like other text, or display in another order than it is read.
func controlIndex(s string) int {
	for i, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return i
		}
	}
	return -1
}

// checkIDs checks a list of instance ids: 1 to most ids (no limit when most
// is 0), each a valid id, none repeated.
func checkIDs(ids []string, most int) error {
	return checkList("instance ids", ids, most, maxIDLen)
}

// checkList checks a list of identifiers named name: 1 to most of them (no
// limit when most is 0), each 1 to maxLen characters as checkText wants
// them, none repeated.
func checkList(name string, ids []string, most, maxLen int) error {
	if len(ids) == 0 {
		return invalidArg("%s: none given", name)
	}
	if most > 0 && len(ids) > most {
		return invalidArg("%s: %d given; at most %d are allowed", name, len(ids), most)
	}
	seen := make(map[string]struct{}, len(ids))
	for i, id := range ids {
		if err := checkText(strings.TrimSuffix(name, "s")+" "+strconv.Itoa(i), id, maxLen); err != nil {
			return err
		}
		if _, dup := seen[id]; dup {
			return invalidArg("%s: %q is given twice", name, id)
		}
		seen[id] = struct{}{}
	}
	return nil
}

// checkLen checks that an optional text field has at most most characters
// and no control characters.
func checkLen(name, s string, most int) error {
	if n := utf8.RuneCountInString(s); n > most {
		return invalidArg("%s has %d characters; at most %d are allowed", name, n, most)
	}
	if !utf8.ValidString(s) {
		return invalidArg("%s is not valid UTF-8", name)
	}
	if i := controlIndex(s); i >= 0 {
		return invalidArg("%s contains %s", name, describeRune(s, i))
	}
	return nil
}

// checkSecret rejects a credential (named by what) that cannot be sent as
// a header value. It never quotes the value.
func checkSecret(what, value string) error {
	if value == "" {
		return errors.New(what + " is empty")
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; b < 0x21 || b == 0x7f {
			return fmt.Errorf("%s has a space or control character at byte %d", what, i)
		}
	}
	return nil
}

// errMissing is the reason a success's data is malformed: a required field is absent.
func errMissing(field string) error { return errors.New(field + " is missing") }

// firstError returns the first non-nil error of errs.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// oneOf checks that value is one of allowed.
func oneOf(name, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return invalidArg("%s %q: want one of %q", name, value, allowed)
}

// checkRange checks that v is in lo..hi.
func checkRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return invalidArg("%s is %d; want %d to %d", name, v, lo, hi)
	}
	return nil
}

// checkCommand checks a command and the instances it is for. The command's
// text is not quoted in the error: it may be long.
func checkCommand(command string, instanceIDs []string) error {
	switch {
	case command == "":
		return invalidArg("command is empty")
	case len(command) > maxCommandBytes:
		return invalidArg("command has %d bytes; at most %d are allowed", len(command), maxCommandBytes)
	case !utf8.ValidString(command):
		return invalidArg("command is not valid UTF-8")
	}
	if i := controlIndex(command); i >= 0 {
		return invalidArg("command has %s", describeRune(command, i))
	}
	if blank(command) {
		return invalidArg("command is only white space")
	}
	return checkIDs(instanceIDs, maxBatch)
}
