package zoomsim

import (
	"net/http"
	"strconv"
	"strings"
)

// Devices API: GET /phone/devices, GET and PATCH /phone/devices/{deviceId}.

type assignee struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	ExtensionNumber int64  `json:"extension_number"`
	ExtensionType   string `json:"extension_type"`
}

type assigneeItem struct {
	assignee
	ExtensionID string `json:"extension_id"`
}

type deviceItem struct {
	ID                  string         `json:"id"`
	DisplayName         string         `json:"display_name"`
	MACAddress          string         `json:"mac_address"`
	DeviceType          string         `json:"device_type"`
	Status              string         `json:"status"`
	Site                *siteRef       `json:"site,omitempty"`
	Assignee            *assignee      `json:"assignee,omitempty"`
	Assignees           []assigneeItem `json:"assignees,omitempty"`
	ProvisionTemplateID string         `json:"provision_template_id,omitempty"`
}

type deviceList struct {
	NextPageToken string       `json:"next_page_token"`
	PageSize      int          `json:"page_size"`
	TotalRecords  int          `json:"total_records"`
	Devices       []deviceItem `json:"devices"`
}

// assigneeOf describes a device's assignee; nil when unassigned. a.mu must
// be held.
func (a *account) assigneeOf(d *Device) *assigneeItem {
	if u, ok := a.userByID[d.AssigneeID]; ok {
		return &assigneeItem{assignee{u.ID, u.DisplayName, u.ExtensionNumber, "user"}, u.ExtensionID}
	}
	if c, ok := a.caByID[d.AssigneeID]; ok {
		return &assigneeItem{assignee{c.ID, c.DisplayName, c.ExtensionNumber, "commonArea"}, c.ExtensionID}
	}
	return nil
}

func (a *account) deviceItem(d *Device) deviceItem {
	out := deviceItem{
		ID: d.ID, DisplayName: d.DisplayName, MACAddress: d.MACAddress, DeviceType: d.DeviceType,
		Status: d.Status, Site: a.siteRef(d.SiteID), ProvisionTemplateID: d.ProvisionTemplateID,
	}
	if as := a.assigneeOf(d); as != nil {
		out.Assignee = &as.assignee
		out.Assignees = []assigneeItem{*as}
	}
	return out
}

func (s *Server) listDevices(c *call) (int, any, *apiError) {
	typ := c.query.Get("type")
	if typ != "assigned" && typ != "unassigned" {
		return 0, nil, errValidation("type")
	}
	at := c.query.Get("assignee_type")
	if at != "" && at != "user" && at != "commonArea" {
		return 0, nil, errValidation("assignee_type")
	}
	size, err := pageSize(c.query, c.op.ID, s.cfg.ClampPageSize)
	if err != nil {
		return 0, nil, err
	}
	site, devType, keyword := c.query.Get("site_id"), c.query.Get("device_type"), c.query.Get("keyword")
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := s.pages.start(c.query, c.op, "", c.now, func() pageState {
		var ids []string
		for _, d := range a.devices {
			as := a.assigneeOf(d)
			switch {
			case (as != nil) != (typ == "assigned"),
				at != "" && (as == nil || as.ExtensionType != at),
				site != "" && d.SiteID != site,
				devType != "" && devType != "other" && !containsFold(d.DeviceType, devType),
				keyword != "" && !deviceMatches(d, as, keyword):
				continue
			}
			ids = append(ids, d.ID)
		}
		return pageState{rest: ids}
	})
	if err != nil {
		return 0, nil, err
	}
	ids, next := s.pages.cut(st, size, c.now)
	out := deviceList{NextPageToken: next, PageSize: size, TotalRecords: st.total, Devices: []deviceItem{}}
	for _, id := range ids {
		if d, ok := a.devByID[id]; ok {
			out.Devices = append(out.Devices, a.deviceItem(d))
		}
	}
	return http.StatusOK, out, nil
}

// deviceMatches is the keyword filter: the assignee's name or extension,
// the MAC address or the device's name.
func deviceMatches(d *Device, as *assigneeItem, kw string) bool {
	if containsFold(d.DisplayName, kw) || containsFold(d.MACAddress, kw) {
		return true
	}
	return as != nil && (containsFold(as.Name, kw) || strings.Contains(strconv.FormatInt(as.ExtensionNumber, 10), kw))
}

func errDeviceNotFound(code int) *apiError {
	return newError(400, code, "Device does not exist in the system.")
}

func (s *Server) getDevice(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	d, ok := a.devByID[c.params["deviceId"]]
	if !ok {
		return 0, nil, errDeviceNotFound(400)
	}
	return http.StatusOK, a.deviceItem(d), nil
}

var deviceUpdateRules = map[string]rule{
	"assigned_to":           {kind: kString},
	"display_name":          {kind: kString, maxRunes: 255},
	"provision_template_id": {kind: kString},
}

func (s *Server) updateDevice(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	d, ok := a.devByID[c.params["deviceId"]]
	if !ok {
		// PATCH documents "Device does not exist" under error code 300.
		return 0, nil, errDeviceNotFound(300)
	}
	f, err := decodeBody(c.body, deviceUpdateRules)
	if err != nil {
		return 0, nil, err
	}
	if err := s.checkNames(f, "display_name"); err != nil {
		return 0, nil, err
	}
	if ref, ok := f.str("assigned_to"); ok {
		u := a.user(ref)
		if u == nil || u.ExtensionNumber == 0 {
			return 0, nil, newError(404, 1001, "User not found: %s", ref)
		}
		d.AssigneeID = u.ID
	}
	if v, ok := f.str("display_name"); ok {
		d.DisplayName = v
	}
	if v, ok := f.str("provision_template_id"); ok {
		d.ProvisionTemplateID = v
	}
	return http.StatusNoContent, nil, nil
}
