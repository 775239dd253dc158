package zoomsim

import (
	"net/http"
)

// Common areas API: GET /phone/common_areas, GET and PATCH
// /phone/common_areas/{commonAreaId}.

type deskPhone struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	DeviceType  string `json:"device_type"`
	Status      string `json:"status"`
}

type commonAreaItem struct {
	ID              string      `json:"id"`
	DisplayName     string      `json:"display_name"`
	ExtensionNumber int64       `json:"extension_number"`
	Site            *siteRef    `json:"site,omitempty"`
	DeskPhones      []deskPhone `json:"desk_phones"`
}

type commonAreaList struct {
	NextPageToken string           `json:"next_page_token"`
	PageSize      int              `json:"page_size"`
	CommonAreas   []commonAreaItem `json:"common_areas"`
}

type commonAreaDetail struct {
	ID                    string   `json:"id"`
	DisplayName           string   `json:"display_name"`
	ExtensionNumber       int64    `json:"extension_number"`
	Department            string   `json:"department,omitempty"`
	CostCenter            string   `json:"cost_center,omitempty"`
	AreaCode              string   `json:"area_code,omitempty"`
	TranscriptionLanguage string   `json:"default_transcription_language,omitempty"`
	Site                  *siteRef `json:"site,omitempty"`
}

func (s *Server) listCommonAreas(c *call) (int, any, *apiError) {
	size, err := pageSize(c.query, c.op.ID, s.cfg.ClampPageSize)
	if err != nil {
		return 0, nil, err
	}
	site := c.query.Get("site_id")
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := s.pages.start(c.query, c.op, "", c.now, func() pageState {
		var ids []string
		for _, ca := range a.commonAreas {
			if site == "" || ca.SiteID == site {
				ids = append(ids, ca.ID)
			}
		}
		return pageState{rest: ids}
	})
	if err != nil {
		return 0, nil, err
	}
	ids, next := s.pages.cut(st, size, c.now)
	out := commonAreaList{NextPageToken: next, PageSize: size, CommonAreas: []commonAreaItem{}}
	byOwner := a.devicesByOwner()
	for _, id := range ids {
		ca, ok := a.caByID[id]
		if !ok {
			continue
		}
		item := commonAreaItem{ID: ca.ID, DisplayName: ca.DisplayName, ExtensionNumber: ca.ExtensionNumber, Site: a.siteRef(ca.SiteID), DeskPhones: []deskPhone{}}
		for _, d := range byOwner[ca.ID] {
			item.DeskPhones = append(item.DeskPhones, deskPhone{d.ID, d.DisplayName, d.DeviceType, d.Status})
		}
		out.CommonAreas = append(out.CommonAreas, item)
	}
	return http.StatusOK, out, nil
}

// errCommonAreaNotFound: GET documents error code 400, PATCH code 404, both
// with HTTP 400.
func errCommonAreaNotFound(code int, id string) *apiError {
	return newError(400, code, "Common area does not exist: %s.", id)
}

func (s *Server) getCommonArea(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	ca, ok := a.caByID[c.params["commonAreaId"]]
	if !ok {
		return 0, nil, errCommonAreaNotFound(400, c.params["commonAreaId"])
	}
	return http.StatusOK, commonAreaDetail{
		ID: ca.ID, DisplayName: ca.DisplayName, ExtensionNumber: ca.ExtensionNumber, Department: ca.Department,
		CostCenter: ca.CostCenter, AreaCode: ca.AreaCode, TranscriptionLanguage: ca.TranscriptionLanguage,
		Site: a.siteRef(ca.SiteID),
	}, nil
}

var transcriptionLanguages = []string{"en-US", "en-GB", "es-US", "fr-CA", "da-DK", "de-DE", "es-ES", "fr-FR", "it-IT", "nl-NL", "pt-PT", "ja", "ko-KR", "pt-BR", "zh-CN"}

// commonAreaUpdateRules are the fields of PATCH common area's request
// schema; emergency_address_id, outbound_caller_id and policy are checked
// and otherwise ignored.
var commonAreaUpdateRules = map[string]rule{
	"area_code":                      {kind: kString},
	"cost_center":                    {kind: kString},
	"country_iso_code":               {kind: kString},
	"department":                     {kind: kString},
	"display_name":                   {kind: kString},
	"emergency_address_id":           {kind: kString},
	"extension_number":               {kind: kInt, minInt: 1, maxInt: 1<<63 - 1},
	"outbound_caller_id":             {kind: kString},
	"policy":                         {kind: kObject},
	"site_id":                        {kind: kString},
	"timezone":                       {kind: kString},
	"default_transcription_language": {kind: kString, strs: transcriptionLanguages},
}

func (s *Server) updateCommonArea(c *call) (int, any, *apiError) {
	a := s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	ca, ok := a.caByID[c.params["commonAreaId"]]
	if !ok {
		return 0, nil, errCommonAreaNotFound(404, c.params["commonAreaId"])
	}
	f, err := decodeBody(c.body, commonAreaUpdateRules)
	if err != nil {
		return 0, nil, err
	}
	if err := s.checkNames(f, "display_name"); err != nil {
		return 0, nil, err
	}
	site, newSite := f.str("site_id")
	if _, known := a.site(site); newSite && !known {
		return 0, nil, errValidation("site_id")
	}
	ext, newExt := f.int("extension_number")
	newExt = newExt && ext != ca.ExtensionNumber
	if _, taken := a.byExt[ext]; newExt && taken {
		return 0, nil, newError(400, 409, "A conflict occurred with the target extension number. Try again later.")
	}
	if newSite {
		ca.SiteID = site
	}
	if newExt {
		delete(a.byExt, ca.ExtensionNumber)
		ca.ExtensionNumber = ext
		a.byExt[ext] = ca.ID
	}
	for name, dst := range map[string]*string{
		"display_name": &ca.DisplayName, "department": &ca.Department, "cost_center": &ca.CostCenter,
		"area_code": &ca.AreaCode, "country_iso_code": &ca.CountryISOCode, "timezone": &ca.Timezone,
		"default_transcription_language": &ca.TranscriptionLanguage,
	} {
		if v, ok := f.str(name); ok {
			*dst = v
		}
	}
	return http.StatusNoContent, nil, nil
}
