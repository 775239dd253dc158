package zoomsim

import (
	"net/http"
	"slices"
	"strconv"
)

// Phone users API: GET /phone/users, GET /phone/users/{userId}. A phone user
// is a user with an extension number.

type phoneUserItem struct {
	ID               string   `json:"id"`
	PhoneUserID      string   `json:"phone_user_id"`
	Email            string   `json:"email"`
	Name             string   `json:"name"`
	ExtensionID      string   `json:"extension_id"`
	ExtensionNumber  int64    `json:"extension_number"`
	Site             *siteRef `json:"site,omitempty"`
	Status           string   `json:"status"`
	ActivationStatus string   `json:"activation_status"`
	Department       string   `json:"department,omitempty"`
	CostCenter       string   `json:"cost_center,omitempty"`
}

type phoneUserList struct {
	NextPageToken string          `json:"next_page_token"`
	PageSize      int             `json:"page_size"`
	TotalRecords  int             `json:"total_records"`
	Users         []phoneUserItem `json:"users"`
}

type phoneUserDetail struct {
	ID              string `json:"id"`
	PhoneUserID     string `json:"phone_user_id"`
	Email           string `json:"email"`
	ExtensionID     string `json:"extension_id"`
	ExtensionNumber int64  `json:"extension_number"`
	SiteID          string `json:"site_id,omitempty"`
	Status          string `json:"status"`
	Department      string `json:"department,omitempty"`
	CostCenter      string `json:"cost_center,omitempty"`
}

// phoneStatus is a phone user's status: activate, or deactivate for a
// deactivated or pending Zoom user.
func phoneStatus(u *User) string {
	if u.Status == "active" {
		return "activate"
	}
	return "deactivate"
}

func (s *Server) listPhoneUsers(c *call) (int, any, *apiError) {
	status := c.query.Get("status")
	if status != "" && !slices.Contains([]string{"activate", "deactivate", "pending"}, status) {
		return 0, nil, errValidation("status")
	}
	size, err := pageSize(c.query, c.op.ID, s.cfg.ClampPageSize)
	if err != nil {
		return 0, nil, err
	}
	site, dept, cost, keyword := c.query.Get("site_id"), c.query.Get("department"), c.query.Get("cost_center"), c.query.Get("keyword")
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := s.pages.start(c.query, c.op, "", c.now, func() pageState {
		var ids []string
		for _, u := range a.users {
			switch {
			case u.ExtensionNumber == 0,
				status == "pending" && u.Status != "pending",
				status != "" && status != "pending" && phoneStatus(u) != status,
				site != "" && u.SiteID != site,
				dept != "" && u.Dept != dept,
				cost != "" && u.CostCenter != cost,
				keyword != "" && !containsFold(u.DisplayName, keyword) && !containsFold(u.Email, keyword) &&
					!containsFold(strconv.FormatInt(u.ExtensionNumber, 10), keyword):
				continue
			}
			ids = append(ids, u.ID)
		}
		return pageState{rest: ids}
	})
	if err != nil {
		return 0, nil, err
	}
	ids, next := s.pages.cut(st, size, c.now)
	out := phoneUserList{NextPageToken: next, PageSize: size, TotalRecords: st.total, Users: []phoneUserItem{}}
	for _, id := range ids {
		u, ok := a.userByID[id]
		if !ok {
			continue
		}
		out.Users = append(out.Users, phoneUserItem{
			ID: u.ID, PhoneUserID: u.PhoneUserID, Email: u.Email, Name: u.DisplayName,
			ExtensionID: u.ExtensionID, ExtensionNumber: u.ExtensionNumber, Site: a.siteRef(u.SiteID),
			Status: phoneStatus(u), ActivationStatus: "activated", Department: u.Dept, CostCenter: u.CostCenter,
		})
	}
	return http.StatusOK, out, nil
}

func (s *Server) getPhoneUser(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.user(c.params["userId"])
	if u == nil || u.ExtensionNumber == 0 {
		return 0, nil, errUserNotFound(c.params["userId"])
	}
	return http.StatusOK, phoneUserDetail{
		ID: u.ID, PhoneUserID: u.PhoneUserID, Email: u.Email, ExtensionID: u.ExtensionID,
		ExtensionNumber: u.ExtensionNumber, SiteID: u.SiteID, Status: phoneStatus(u),
		Department: u.Dept, CostCenter: u.CostCenter,
	}, nil
}
