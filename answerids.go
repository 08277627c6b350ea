package koophone

import (
	"fmt"

	"github.com/koophone-go/koophone/internal/wire"
)

// Ids in answers. A task_id, job_id or instance_id the service sends is
// kept exactly as sent, never sanitised: a changed id names another task,
// job or instance. An id that cannot be kept (see wire.CheckID) makes the
// answer malformed, from the Validate of the operation's data, so that a
// read is retried as for a broken envelope.

// checkAnswerID returns why the id in the answer's field cannot be kept,
// naming the field; nil when it can.
func checkAnswerID(field, id string) error {
	if err := wire.CheckID(id); err != nil {
		return fmt.Errorf("%s %w", field, err)
	}
	return nil
}

// checkOptionalID is checkAnswerID for an id the answer may leave out: ""
// is fine.
func checkOptionalID(field, id string) error {
	if id == "" {
		return nil
	}
	return checkAnswerID(field, id)
}
