package zoomsim

import (
	"net/http"
	"slices"

	"github.com/pbxlink/pbxlink/zoom"
)

// Users API: GET /users, GET and PATCH /users/{userId}.

type userListItem struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	DisplayName   string `json:"display_name"`
	Type          int    `json:"type"`
	Status        string `json:"status"`
	Dept          string `json:"dept,omitempty"`
	Timezone      string `json:"timezone,omitempty"`
	Verified      int    `json:"verified"`
	RoleID        string `json:"role_id"`
	CreatedAt     string `json:"created_at,omitempty"`
	UserCreatedAt string `json:"user_created_at,omitempty"`
}

type userList struct {
	NextPageToken string         `json:"next_page_token"`
	PageCount     int            `json:"page_count"`
	PageNumber    int            `json:"page_number"`
	PageSize      int            `json:"page_size"`
	TotalRecords  int            `json:"total_records"`
	Users         []userListItem `json:"users"`
}

type userDetail struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	DisplayName   string `json:"display_name"`
	Type          int    `json:"type"`
	Status        string `json:"status"`
	RoleName      string `json:"role_name"`
	RoleID        string `json:"role_id"`
	AccountID     string `json:"account_id"`
	Dept          string `json:"dept,omitempty"`
	JobTitle      string `json:"job_title,omitempty"`
	Company       string `json:"company,omitempty"`
	CostCenter    string `json:"cost_center,omitempty"`
	Language      string `json:"language,omitempty"`
	Location      string `json:"location,omitempty"`
	Timezone      string `json:"timezone,omitempty"`
	Pronouns      string `json:"pronouns,omitempty"`
	Manager       string `json:"manager,omitempty"`
	Verified      int    `json:"verified"`
	UsePMI        bool   `json:"use_pmi"`
	CreatedAt     string `json:"created_at,omitempty"`
	UserCreatedAt string `json:"user_created_at,omitempty"`
}

var userStatuses = []string{"active", "inactive", "pending"}

func (s *Server) listUsers(c *call) (int, any, *apiError) {
	status := c.query.Get("status")
	if status == "" {
		status = "active"
	}
	if !slices.Contains(userStatuses, status) {
		return 0, nil, errValidation("status")
	}
	size, err := pageSize(c.query, c.op.ID, s.cfg.ClampPageSize)
	if err != nil {
		return 0, nil, err
	}
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := s.pages.start(c.query, c.op, "", c.now, func() pageState {
		var ids []string
		for _, u := range a.users {
			if u.Status == status {
				ids = append(ids, u.ID)
			}
		}
		return pageState{rest: ids}
	})
	if err != nil {
		return 0, nil, err
	}
	ids, next := s.pages.cut(st, size, c.now)
	out := userList{NextPageToken: next, PageCount: pageCount(st.total, size), PageNumber: 1, PageSize: size, TotalRecords: st.total, Users: []userListItem{}}
	for _, id := range ids {
		u, ok := a.userByID[id]
		if !ok {
			continue
		}
		out.Users = append(out.Users, userListItem{
			ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, DisplayName: u.DisplayName,
			Type: u.Type, Status: u.Status, Dept: u.Dept, Timezone: u.Timezone, Verified: 1, RoleID: "2",
			CreatedAt: zoomTime(u.CreatedAt), UserCreatedAt: zoomTime(u.CreatedAt),
		})
	}
	return http.StatusOK, out, nil
}

func (s *Server) getUser(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	ref := c.params["userId"]
	if ref == "me" && c.me != "" {
		ref = c.me // the user who authorised the app
	}
	u := a.user(ref)
	if u == nil {
		return 0, nil, errUserNotFound(c.params["userId"])
	}
	role, roleID := "Member", "2"
	if c.me != "" && u.ID == c.me {
		role, roleID = "Admin", "1" // only an admin can authorise an account-level app
	}
	return http.StatusOK, userDetail{
		ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, DisplayName: u.DisplayName,
		Type: u.Type, Status: u.Status, RoleName: role, RoleID: roleID, AccountID: a.id,
		Dept: u.Dept, JobTitle: u.JobTitle, Company: u.Company, CostCenter: u.CostCenter, Language: u.Language,
		Location: u.Location, Timezone: u.Timezone, Pronouns: u.Pronouns, Manager: u.Manager, Verified: 1,
		CreatedAt: zoomTime(u.CreatedAt), UserCreatedAt: zoomTime(u.CreatedAt),
	}, nil
}

// userUpdateRules are the fields of PATCH /users/{userId}'s request schema.
// The simulator stores the profile fields of User; the others are checked
// and otherwise ignored.
var userUpdateRules = map[string]rule{
	"cms_user_id":       {kind: kString},
	"company":           {kind: kString, maxRunes: 255},
	"custom_attributes": {kind: kArray, maxItems: 5},
	"dept":              {kind: kString},
	"first_name":        {kind: kString, maxRunes: 64},
	"group_id":          {kind: kString},
	"division_ids":      {kind: kArray},
	"host_key":          {kind: kString, minRunes: 6, maxRunes: 10},
	"job_title":         {kind: kString, maxRunes: 128},
	"cost_center":       {kind: kString},
	"language":          {kind: kString},
	"last_name":         {kind: kString, maxRunes: 64},
	"location":          {kind: kString, maxRunes: 256},
	"manager":           {kind: kString, email: true},
	"phone_country":     {kind: kString},
	"phone_number":      {kind: kString},
	"phone_numbers":     {kind: kArray, maxItems: 3},
	"pmi":               {kind: kInt},
	"pronouns":          {kind: kString},
	"pronouns_option":   {kind: kInt, ints: []int64{1, 2, 3}},
	"timezone":          {kind: kString},
	"type":              {kind: kInt, ints: []int64{1, 2, 4, 99}},
	"use_pmi":           {kind: kBool},
	"vanity_name":       {kind: kString},
	"display_name":      {kind: kString, maxRunes: 128},
	"zoom_one_type":     {kind: kInt},
	"plan_united_type":  {kind: kString},
	"feature":           {kind: kObject},
	"about_me":          {kind: kString, maxRunes: 150},
	"linkedin_url":      {kind: kString},
	"license_info_list": {kind: kArray, maxItems: 2},
}

func (s *Server) updateUser(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.user(c.params["userId"])
	if u == nil {
		return 0, nil, errUserNotFound(c.params["userId"])
	}
	f, err := decodeBody(c.body, userUpdateRules)
	if err != nil {
		return 0, nil, err
	}
	if err := s.checkNames(f, "first_name", "last_name", "display_name"); err != nil {
		return 0, nil, err
	}
	if err := checkChinese(f); err != nil {
		return 0, nil, err
	}
	for name, dst := range map[string]*string{
		"first_name": &u.FirstName, "last_name": &u.LastName, "dept": &u.Dept, "company": &u.Company,
		"job_title": &u.JobTitle, "cost_center": &u.CostCenter, "language": &u.Language,
		"location": &u.Location, "timezone": &u.Timezone, "pronouns": &u.Pronouns, "manager": &u.Manager,
	} {
		if v, ok := f.str(name); ok {
			*dst = v
		}
	}
	if t, ok := f.int("type"); ok {
		u.Type = int(t)
	}
	_, first := f["first_name"]
	_, last := f["last_name"]
	switch dn, ok := f.str("display_name"); {
	case ok && dn != "":
		u.DisplayName = dn
	case ok, s.cfg.DeriveDisplayNameWhenAbsent && (first || last):
		u.DisplayName = deriveDisplayName(u.FirstName, u.LastName)
	}
	return http.StatusNoContent, nil, nil
}

// checkChinese refuses a name with more Chinese characters than Zoom allows:
// five in first_name or last_name, ten in display_name.
func checkChinese(f fields) *apiError {
	for _, c := range []struct {
		field string
		max   int
	}{{"first_name", zoom.MaxChineseFirstLast}, {"last_name", zoom.MaxChineseFirstLast}, {"display_name", zoom.MaxChineseDisplayName}} {
		if v, ok := f.str(c.field); ok && zoom.ChineseCharacters(v) > c.max {
			return errNameTooManyChinese(c.field)
		}
	}
	return nil
}
