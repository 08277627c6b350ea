package wire

// TaskData is the data of an answer that starts a task (UnassignInstance,
// BatchReset, BatchBackupInstances, AsyncCommand, InstallApp). Older
// InstallApp answers nest it one level deeper, in data.data.
type TaskData struct {
	TaskID  string    `json:"task_id"`
	CmdJobs []JobData `json:"cmd_jobs"`
	Data    *TaskData `json:"data"`
}

// JobData is one entry of cmd_jobs.
type JobData struct {
	InstanceID string `json:"instance_id"`
	JobID      string `json:"job_id"`
}
