package zoom

import (
	"context"
	"net/url"
)

// User is a Zoom user as GET /users lists it.
type User struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	DisplayName string `json:"display_name"`
	Dept        string `json:"dept"`
	Type        int    `json:"type"`
	Status      string `json:"status"`
}

// UserUpdate is the part of a user pbxlink changes. Empty names and a nil
// Dept are not sent, so they stay as they are in Zoom; a Dept pointing to ""
// clears the department.
type UserUpdate struct {
	FirstName   string  `json:"first_name,omitempty"`
	LastName    string  `json:"last_name,omitempty"`
	DisplayName string  `json:"display_name,omitempty"`
	Dept        *string `json:"dept,omitempty"`
}

// ListUsers returns every active user of the account.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	return listAll[User](ctx, c, request{op: OpListUsers, query: url.Values{"status": {"active"}}}, "users")
}

// GetUser returns one user by id or email.
func (c *Client) GetUser(ctx context.Context, userID string) (User, error) {
	var u User
	err := c.do(ctx, request{op: OpGetUser, args: []string{userID}}, &u)
	return u, err
}

// UpdateUser changes a user's names and department.
func (c *Client) UpdateUser(ctx context.Context, userID string, u UserUpdate) error {
	return c.do(ctx, request{op: OpUpdateUser, args: []string{userID}, body: u}, nil)
}
