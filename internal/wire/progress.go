package wire

// ProgressRequest is the body of ShowProgress.
type ProgressRequest struct {
	UserID     string `json:"user_id"`
	InstanceID string `json:"instance_id"`
}

// ProgressData is the data of a ShowProgress answer. Status is required.
type ProgressData struct {
	Status       *Int `json:"status"`
	WaitingCount Int  `json:"waitingCount"`
}

// progressMembers are ProgressData's members, as DecodeFast tells them apart.
var progressMembers = []string{progressStatus: "status", progressWaitingCount: "waitingcount"}

const (
	progressStatus = iota
	progressWaitingCount
)

// DecodeFast decodes ShowProgress's data, the answer every wait polls for,
// without encoding/json (see FastDecoder).
func (d *ProgressData) DecodeFast(b []byte) bool {
	return walkObject(b, progressMembers, func(m int, v []byte) bool {
		if m == progressWaitingCount {
			return d.WaitingCount.UnmarshalJSON(v) == nil
		}
		if string(v) == "null" {
			return true // a null pointer, as encoding/json leaves it
		}
		d.Status = new(Int)
		return d.Status.UnmarshalJSON(v) == nil
	})
}
