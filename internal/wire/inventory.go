package wire

// PageInfo is what a paged answer (ListInstances, ListInstanceApp) says
// about its page. TotalCount is required.
type PageInfo struct {
	PageNo     Int  `json:"page_no"`
	PageSize   Int  `json:"page_size"`
	TotalCount *Int `json:"total_count"`
}

// InstancePageData is the data of a ListInstances answer. Its error_code
// and error_msg, which sit beside these fields, are read by Decode (kind
// InData).
type InstancePageData struct {
	Result []InstanceItem `json:"result"`
	PageInfo
}

// InstanceItem is one entry of ListInstances' result.
type InstanceItem struct {
	InstanceID    string `json:"instance_id"`
	InstanceName  string `json:"instance_name"`
	Region        string `json:"region"`
	RegionName    string `json:"region_name"`
	RegionNameEN  string `json:"region_name_en"`
	InstanceSKU   string `json:"instance_sku"`
	FrozenStatus  Int    `json:"frozen_status"`
	RunningStatus Int    `json:"running_status"`
	LoginStatus   Int    `json:"login_status"`
	AssignStatus  Int    `json:"assign_status"`
	AssignUser    string `json:"assign_user"`
	BillingMode   Text   `json:"billing_mode"`
	ProjectID     string `json:"project_id"`
	ProjectName   string `json:"project_name"`
	PhoneID       Text   `json:"phone_id"`
	MemberName    string `json:"member_name"`
	AccountName   string `json:"account_name"`
	BackupStatus  Int    `json:"backup_status"`
	BackupTime    Text   `json:"backup_time"`
	RestoreStatus Int    `json:"restore_status"`
	RestoreTime   Text   `json:"restore_time"`
}

// CreateRequest is the body of CreateInstance. Its names are camelCase.
type CreateRequest struct {
	OS                 string      `json:"os"`
	InstanceSKUID      string      `json:"instanceSkuId"`
	BandSKUID          string      `json:"bandSkuId"`
	RegionID           string      `json:"regionId"`
	InstanceNamePrefix string      `json:"instanceNamePrefix"`
	BandSize           float64     `json:"bandSize"`
	Count              int         `json:"count"`
	ChargeParam        ChargeParam `json:"chargeParam"`
	Network            string      `json:"network,omitempty"`
	NodeGroupID        string      `json:"nodeGroupId,omitempty"`
}

// ChargeParam is CreateInstance's chargeParam; the flags are 0 or 1.
type ChargeParam struct {
	ChargingMode int `json:"chargingMode"`
	PeriodType   int `json:"periodType"`
	PeriodNum    int `json:"periodNum"`
	IsAutoPay    int `json:"isAutoPay"`
	IsAutoRenew  int `json:"isAutoRenew"`
}

// CreateData is the data of a CreateInstance answer.
type CreateData struct {
	OrderID       Text              `json:"orderId"`
	InstanceInfos []CreatedInstance `json:"instanceInfos"`
}

// CreatedInstance is one entry of CreateInstance's instanceInfos.
type CreatedInstance struct {
	InstanceID   string `json:"instanceId"`
	InstanceName string `json:"instanceName"`
}

// DeleteRequest is the body of DeleteInstance.
type DeleteRequest struct {
	InstanceIDList []string `json:"instanceIdList"`
}
