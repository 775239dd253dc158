package zoom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// listAll follows next_page_token at the operation's largest page size and
// returns the items found under key on every page.
func listAll[T any](ctx context.Context, c *Client, r request, key string) ([]T, error) {
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	if n := maxPageSize[r.op.ID]; n > 0 {
		q.Set("page_size", strconv.Itoa(n))
	}
	var all []T
	seen := map[string]bool{}
	for {
		r.query = q
		var page map[string]json.RawMessage
		if err := c.do(ctx, r, &page); err != nil {
			return nil, err
		}
		if raw, ok := page[key]; ok && string(raw) != "null" {
			var items []T
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, &TransportError{Op: r.op.ID, Err: fmt.Errorf("decode %s: %w", key, err)}
			}
			all = append(all, items...)
		}
		var next string
		if raw, ok := page["next_page_token"]; ok {
			_ = json.Unmarshal(raw, &next)
		}
		if next == "" {
			return all, nil
		}
		if seen[next] {
			return nil, &TransportError{Op: r.op.ID, Err: fmt.Errorf("next_page_token repeats")}
		}
		seen[next] = true
		q.Set("next_page_token", next)
	}
}
