package zoom

import (
	"context"
	"net/url"
)

// Site is the Zoom Phone site an extension belongs to.
type Site struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PhoneUser is a Zoom Phone user: the link from an extension number to a
// Zoom user id.
type PhoneUser struct {
	ID              string `json:"id"`
	ExtensionNumber int64  `json:"extension_number"`
	ExtensionID     string `json:"extension_id"`
	Name            string `json:"name"`
	Email           string `json:"email"`
	Department      string `json:"department"`
	Status          string `json:"status"`
	Site            Site   `json:"site"`
}

// ListPhoneUsers returns every Zoom Phone user.
func (c *Client) ListPhoneUsers(ctx context.Context) ([]PhoneUser, error) {
	return listAll[PhoneUser](ctx, c, request{op: OpListPhoneUsers}, "users")
}

// SearchPhoneUsers returns the phone users matching keyword (a name, email or
// extension number): one targeted lookup instead of a full directory load.
func (c *Client) SearchPhoneUsers(ctx context.Context, keyword string) ([]PhoneUser, error) {
	return listAll[PhoneUser](ctx, c, request{op: OpListPhoneUsers, query: url.Values{"keyword": {keyword}}}, "users")
}

// GetPhoneUser returns one phone user by Zoom user id.
func (c *Client) GetPhoneUser(ctx context.Context, userID string) (PhoneUser, error) {
	var u PhoneUser
	err := c.do(ctx, request{op: OpGetPhoneUser, args: []string{userID}}, &u)
	return u, err
}
