package koophone

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/koophone-go/koophone/internal/wire"
)

// Ids in answers. A task_id, job_id or instance_id the service sends is
// kept exactly as sent, never sanitised: a changed id names another task,
// job or instance. An id that cannot be kept (see wire.CheckID) makes the
// answer malformed, from the Validate of the operation's data, so that a
// read is retried as for a broken envelope.

// entry is a place in an answer's data: element i of list, or list itself
// when i < 0 (e.g. "data.jobs", 3: data.jobs[3]). Its name is built only
// for an error, so that checking a long list allocates nothing.
type entry struct {
	list string
	i    int
}

// field names the field of the entry: "data.jobs[3].job_id"; with name
// "", the entry itself: "data.jobs[3]".
func (e entry) field(name string) string {
	s := e.list
	if e.i >= 0 {
		s += "[" + strconv.Itoa(e.i) + "]"
	}
	if name != "" {
		s += "." + name
	}
	return s
}

// checkID returns why the id in the entry's field cannot be kept, naming
// the field; nil when it can.
func (e entry) checkID(name, id string) error {
	if err := wire.CheckID(id); err != nil {
		return fmt.Errorf("%s %w", e.field(name), err)
	}
	return nil
}

// checkOptionalID is checkID for an id the answer may leave out: "" is
// fine.
func (e entry) checkOptionalID(name, id string) error {
	if id == "" {
		return nil
	}
	return e.checkID(name, id)
}

// maxAnswerTextBytes bounds text an answer hands on unchanged (a device
// token's addresses and URLs).
const maxAnswerTextBytes = 4096

// checkText returns why text in the entry's field cannot be kept exactly
// as sent: it is over 4 KiB, not valid UTF-8, or holds a control, format
// or bidi character. Such text is handed on unchanged, so it is never
// sanitised; nil when it can be kept. "" is fine.
func (e entry) checkText(name, s string) error {
	switch {
	case len(s) > maxAnswerTextBytes:
		return fmt.Errorf("%s is %d bytes long; at most %d are allowed", e.field(name), len(s), maxAnswerTextBytes)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s is not valid UTF-8", e.field(name))
	}
	if i := controlIndex(s); i >= 0 {
		return fmt.Errorf("%s holds %s", e.field(name), describeRune(s, i))
	}
	return nil
}

// perInstance is implemented by wire data whose entries each stand for one
// of the instances the call named (request.instances): a status list,
// SyncCommand's results, a task's cmd_jobs.
type perInstance interface {
	// instanceEntries returns the name of the list, the instance id of
	// each entry (already checked by Validate), and whether an instance
	// may have one entry only.
	instanceEntries() (list string, ids []string, once bool)
}

// checkNamed returns why the entries of p do not stand for instances the
// call named: an entry names another instance (ids are compared exactly,
// as kept), or, where an instance has one entry only, names one an earlier
// entry did. Either would read one instance's result as another's. An
// instance the answer leaves out is not an error.
func checkNamed(named []string, p perInstance) error {
	list, ids, once := p.instanceEntries()
	var seen []bool
	if once {
		seen = make([]bool, len(named))
	}
	for i, id := range ids {
		k := slices.Index(named, id)
		switch {
		case k < 0:
			return fmt.Errorf("%s %q is not an instance the call named", entry{list, i}.field("instance_id"), id)
		case once && seen[k]:
			return fmt.Errorf("%s %q names an instance an earlier entry names", entry{list, i}.field("instance_id"), id)
		case once:
			seen[k] = true
		}
	}
	return nil
}
