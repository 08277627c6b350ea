package wire

// AppPageData is the data of a ListInstanceApp answer.
type AppPageData struct {
	Result []AppItem `json:"result"`
	PageInfo
}

// AppItem is one entry of ListInstanceApp's result.
type AppItem struct {
	AppName    string `json:"app_name"`
	AppVersion Text   `json:"app_version"`
	AppPkg     string `json:"app_pkg"`
	IconURL    string `json:"icon_url"`
}
