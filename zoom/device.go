package zoom

import (
	"context"
	"net/url"
)

// Extension types of a device's assignee.
const (
	AssigneeUser       = "user"
	AssigneeCommonArea = "commonArea"
)

// Device is a desk phone with the extension it is assigned to.
type Device struct {
	ID          string     `json:"id"`
	DisplayName string     `json:"display_name"`
	DeviceType  string     `json:"device_type"`
	MACAddress  string     `json:"mac_address"`
	Status      string     `json:"status"`
	Assignee    *Assignee  `json:"assignee,omitempty"`
	Assignees   []Assignee `json:"assignees,omitempty"`
}

// Assignee is the extension a device belongs to.
type Assignee struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	ExtensionNumber int64  `json:"extension_number"`
	ExtensionType   string `json:"extension_type"`
}

// ListAssignedDevices returns every device assigned to an extension.
func (c *Client) ListAssignedDevices(ctx context.Context) ([]Device, error) {
	return listAll[Device](ctx, c, request{op: OpListDevices, query: url.Values{"type": {"assigned"}}}, "devices")
}

// SearchAssignedDevices returns the assigned devices matching keyword (an
// extension number, a name): one targeted lookup for a new extension.
func (c *Client) SearchAssignedDevices(ctx context.Context, keyword string) ([]Device, error) {
	q := url.Values{"type": {"assigned"}, "keyword": {keyword}}
	return listAll[Device](ctx, c, request{op: OpListDevices, query: q}, "devices")
}

// GetDevice returns one device.
func (c *Client) GetDevice(ctx context.Context, id string) (Device, error) {
	var d Device
	err := c.do(ctx, request{op: OpGetDevice, args: []string{id}}, &d)
	return d, err
}

// UpdateDeviceName sets a device's display name (what the phone shows).
func (c *Client) UpdateDeviceName(ctx context.Context, id, displayName string) error {
	body := struct {
		DisplayName string `json:"display_name"`
	}{displayName}
	return c.do(ctx, request{op: OpUpdateDevice, args: []string{id}, body: body}, nil)
}
