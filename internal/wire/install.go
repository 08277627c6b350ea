package wire

// InstallRequest is the body of InstallApp. fast_install and object_size
// are strings on the wire.
type InstallRequest struct {
	FastInstall       string   `json:"fast_install"`
	ObjectName        string   `json:"object_name"`
	FileName          string   `json:"file_name"`
	ObjectVersion     string   `json:"object_version"`
	ObjectSize        string   `json:"object_size"`
	BizType           string   `json:"biz_type"`
	ContentType       string   `json:"content_type"`
	ContentMD5        string   `json:"content_md5,omitempty"`
	InstallPackageURL string   `json:"install_package_url"`
	InstanceIDList    []string `json:"instance_id_list"`
}
