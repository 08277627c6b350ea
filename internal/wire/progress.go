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
