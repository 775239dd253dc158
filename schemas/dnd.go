package schemas

// DND is the data of a [TypeDND] event: presence do-not-disturb on or off.
// The "on" member is required, so false is always sent.
type DND struct {
	// On switches do-not-disturb on when true, off when false.
	On bool `json:"on"`
}

// Type returns [TypeDND].
func (DND) Type() Type { return TypeDND }

func (DND) isPayload() {}
