package schemas

// Extension is the data of a [TypeExtension] event: a plain change of a
// non-guest extension's names and department. A nil field is absent from
// the event and left as it is; a pointer to "" clears the field.
type Extension struct {
	// First, when not nil, is the new first name.
	First *string `json:"first,omitempty"`
	// Last, when not nil, is the new last name.
	Last *string `json:"last,omitempty"`
	// Department, when not nil, is the new department.
	Department *string `json:"department,omitempty"`
}

// Type returns [TypeExtension].
func (Extension) Type() Type { return TypeExtension }

func (Extension) isPayload() {}
