package zoom

import "context"

// CommonArea is a Zoom Phone common area (a shared phone, for instance a
// hotel room's), with its desk phones.
type CommonArea struct {
	ID              string      `json:"id"`
	DisplayName     string      `json:"display_name"`
	ExtensionNumber int64       `json:"extension_number"`
	Department      string      `json:"department,omitempty"`
	Status          string      `json:"status"`
	Site            Site        `json:"site"`
	DeskPhones      []DeskPhone `json:"desk_phones"`
}

// DeskPhone is a desk phone as a common area lists it.
type DeskPhone struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	DeviceType  string `json:"device_type"`
	Status      string `json:"status"`
}

// CommonAreaUpdate is the part of a common area pbxlink changes. An empty
// DisplayName and a nil Department are not sent; a Department pointing to ""
// clears it.
type CommonAreaUpdate struct {
	DisplayName string  `json:"display_name,omitempty"`
	Department  *string `json:"department,omitempty"`
}

// ListCommonAreas returns every common area.
func (c *Client) ListCommonAreas(ctx context.Context) ([]CommonArea, error) {
	return listAll[CommonArea](ctx, c, request{op: OpListCommonAreas}, "common_areas")
}

// GetCommonArea returns one common area.
func (c *Client) GetCommonArea(ctx context.Context, id string) (CommonArea, error) {
	var a CommonArea
	err := c.do(ctx, request{op: OpGetCommonArea, args: []string{id}}, &a)
	return a, err
}

// UpdateCommonArea changes a common area's display name and department.
func (c *Client) UpdateCommonArea(ctx context.Context, id string, u CommonAreaUpdate) error {
	return c.do(ctx, request{op: OpUpdateCommonArea, args: []string{id}, body: u}, nil)
}
