package zoom

import "context"

// Me is the user a token acts for, as GET /users/me answers: for the
// account-level OAuth app, the admin who authorised it, and the account.
type Me struct {
	ID          string `json:"id"`
	AccountID   string `json:"account_id"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	DisplayName string `json:"display_name"`
	RoleName    string `json:"role_name"`
}

// Me returns the user the client's token acts for (GET /users/me).
func (c *Client) Me(ctx context.Context) (Me, error) {
	var m Me
	err := c.do(ctx, request{op: OpGetUser, args: []string{"me"}}, &m)
	return m, err
}
