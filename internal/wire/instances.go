package wire

// PrepareRequest is the body of BatchPrepareInstances.
type PrepareRequest struct {
	UserID      string   `json:"user_id"`
	InstanceIDs []string `json:"instance_ids"`
}

// PrepareData is the data of a BatchPrepareInstances answer.
type PrepareData struct {
	StatusList *[]InstanceStatus `json:"status_list"`
}

// InstanceStatus is one entry of a status list.
type InstanceStatus struct {
	InstanceID string `json:"instance_id"`
	Status     *Int   `json:"status"`
}

// InstanceIDsRequest is a body with a list of instance ids
// (BatchQueryStatus, and the batch actions).
type InstanceIDsRequest struct {
	InstanceIDs []string `json:"instance_ids"`
}

// StatusData is the data of a BatchQueryStatus answer.
type StatusData struct {
	StatusResults *[]InstanceStatus `json:"status_results"`
}
