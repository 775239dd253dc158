package zoom

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Plan is the Zoom account's plan, which sets its rate limits. Limits are per
// account and shared by every app installed on it.
type Plan string

const (
	// PlanPro is Zoom's Pro plan.
	PlanPro Plan = "pro"
	// PlanBusiness covers Business, Business+, Enterprise and Education,
	// which share one rate-limit table.
	PlanBusiness Plan = "business"
)

// ParsePlan accepts "pro" or "business".
func ParsePlan(s string) (Plan, error) {
	switch p := Plan(s); p {
	case PlanPro, PlanBusiness:
		return p, nil
	}
	return "", fmt.Errorf("unknown Zoom plan %q: want %q or %q", s, PlanPro, PlanBusiness)
}

// Family is a Zoom API family with its own rate-limit table: the main REST
// API (users, presence) or the Zoom Phone API (every /phone/... path).
type Family string

const (
	// FamilyMain is the main REST API (users, presence).
	FamilyMain Family = "main"
	// FamilyPhone is the Zoom Phone API.
	FamilyPhone Family = "phone"
)

// Category is Zoom's "Rate Limit Label" of an operation. Every call in one
// category of one family shares one bucket.
type Category string

const (
	// Light operations, for example GET or PATCH of one user.
	Light Category = "Light"
	// Medium operations, for example list calls and presence. pbxlink
	// charges every call at Medium unless told to use the exact labels.
	Medium Category = "Medium"
	// Heavy operations, for example account call history.
	Heavy Category = "Heavy"
	// ResourceIntensive operations are limited per minute.
	ResourceIntensive Category = "Resource-intensive"
	// Daily is not a Zoom label but the daily cap that Heavy and
	// Resource-intensive calls of one family share (Zoom's rate-limit page).
	// Bucket{family, Daily} is never paced; a daily 429 pauses it until
	// 00:00 UTC, and only Heavy and Resource-intensive calls wait for it, so
	// that Light and Medium calls go on.
	Daily Category = "Daily"
)

// DailyBucket is the daily cap that Heavy and Resource-intensive calls of
// family f share.
func DailyBucket(f Family) Bucket { return Bucket{f, Daily} }

// SharesDailyCap reports whether calls of category c count toward their
// family's daily cap.
func SharesDailyCap(c Category) bool { return c == Heavy || c == ResourceIntensive }

// Bucket is one rate-limit bucket of an account: a category of a family.
type Bucket struct {
	Family   Family
	Category Category
}

func (b Bucket) String() string { return string(b.Family) + "/" + string(b.Category) }

// Limit is Zoom's published limit for one bucket: Count requests per Per
// (one second, or one minute for Resource-intensive), and, where Zoom sets one,
// a daily cap that resets at 00:00 UTC (Daily 0 means none).
type Limit struct {
	Count int
	Per   time.Duration
	Daily int
}

// Rate is the limit in requests per second.
func (l Limit) Rate() float64 { return float64(l.Count) / l.Per.Seconds() }

// Limits returns Zoom's published limit for a bucket on a plan (from
// developers.zoom.us/docs/api/rate-limits). ok is false for an unknown
// combination.
func Limits(p Plan, b Bucket) (l Limit, ok bool) {
	l, ok = limitTable[p][b]
	return l, ok
}

// DailyShared reports the daily cap that Heavy and Resource-intensive calls of
// the main API share on a plan (Pro 30,000, Business and up 60,000).
func DailyShared(p Plan) int {
	if p == PlanBusiness {
		return 60000
	}
	return 30000
}

var limitTable = map[Plan]map[Bucket]Limit{
	PlanPro: {
		{FamilyMain, Light}:              {Count: 30, Per: time.Second},
		{FamilyMain, Medium}:             {Count: 20, Per: time.Second},
		{FamilyMain, Heavy}:              {Count: 10, Per: time.Second},
		{FamilyMain, ResourceIntensive}:  {Count: 10, Per: time.Minute},
		{FamilyPhone, Light}:             {Count: 20, Per: time.Second},
		{FamilyPhone, Medium}:            {Count: 10, Per: time.Second},
		{FamilyPhone, Heavy}:             {Count: 5, Per: time.Second, Daily: 15000},
		{FamilyPhone, ResourceIntensive}: {Count: 5, Per: time.Minute},
	},
	PlanBusiness: {
		{FamilyMain, Light}:              {Count: 80, Per: time.Second},
		{FamilyMain, Medium}:             {Count: 60, Per: time.Second},
		{FamilyMain, Heavy}:              {Count: 40, Per: time.Second},
		{FamilyMain, ResourceIntensive}:  {Count: 20, Per: time.Minute},
		{FamilyPhone, Light}:             {Count: 40, Per: time.Second},
		{FamilyPhone, Medium}:            {Count: 20, Per: time.Second},
		{FamilyPhone, Heavy}:             {Count: 10, Per: time.Second, Daily: 30000},
		{FamilyPhone, ResourceIntensive}: {Count: 10, Per: time.Minute},
	},
}

// ParseLimits reads limit overrides written as
// "family/Category=N[/s|/min]" separated by commas, for example
// "main/Medium=200,phone/Medium=100/s" (requests per second by default).
func ParseLimits(s string) (map[Bucket]Limit, error) {
	out := map[Bucket]Limit{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, value, ok := strings.Cut(item, "=")
		fam, cat, ok2 := strings.Cut(name, "/")
		if !ok || !ok2 {
			return nil, fmt.Errorf("limit %q: want family/Category=N, e.g. main/Medium=20", item)
		}
		b := Bucket{Family(strings.TrimSpace(fam)), Category(strings.TrimSpace(cat))}
		if _, known := limitTable[PlanPro][b]; !known {
			return nil, fmt.Errorf("limit %q: unknown bucket %s (families main and phone; categories Light, Medium, Heavy, Resource-intensive)", item, b)
		}
		per := time.Second
		count, unit, _ := strings.Cut(strings.TrimSpace(value), "/")
		switch unit {
		case "", "s":
		case "min":
			per = time.Minute
		default:
			return nil, fmt.Errorf("limit %q: unit %q: want /s or /min", item, unit)
		}
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("limit %q: %q is not a positive number of requests", item, count)
		}
		out[b] = Limit{Count: n, Per: per}
	}
	return out, nil
}
