package wire

// InstanceRequest is a body with one instance id (StopInstancesStreaming,
// ReleaseInstancesSession).
type InstanceRequest struct {
	InstanceID string `json:"instance_id"`
}

// DeviceTokenData is the data of a GetDeviceToken answer.
type DeviceTokenData struct {
	StreamingID string `json:"streamingId"`
	DeviceToken string `json:"device_token"`
	Resource    struct {
		DeviceID string `json:"device_id"`
		// AppIPSynchronizeList is a string in the API reference; a list, as
		// older answers may send, is kept as its compact JSON.
		AppIPSynchronizeList LenientText `json:"app_ip_synchronize_list"`
		KPID                 string      `json:"kp_id"`
		SDK                  struct {
			Internal SDKAddress `json:"internal"`
			External SDKAddress `json:"external"`
		} `json:"sdk"`
		RTC struct {
			ICESignaling struct {
				SignalingURL string   `json:"signaling_url"`
				ExpiredTime  Text     `json:"expired_time"`
				ICEServers   []string `json:"ice_servers"`
			} `json:"ice_signaling"`
		} `json:"rtc"`
	} `json:"resource"`
}

// SDKAddress is one of the SDK access addresses. The API reference types
// aport and atype as strings for the internal address and as integers for
// the external one; Text takes both.
type SDKAddress struct {
	Address     string `json:"address"`
	AddressIPv6 string `json:"address_ipv6"`
	AudioPort   Text   `json:"aport"`
	AudioType   Text   `json:"atype"`
	AddressADN  string `json:"address_adn"` // external only: instances bought with network ADN
}
