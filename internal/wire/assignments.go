package wire

// AssignRequest is the body of AssignInstance and UnassignInstance.
type AssignRequest struct {
	UserInstances []UserInstance `json:"user_instances"`
}

// UserInstance is one user–instance pair of an AssignRequest.
type UserInstance struct {
	UserID     string `json:"user_id"`
	InstanceID string `json:"instance_id"`
}
