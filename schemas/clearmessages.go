package schemas

// ClearMessages is the data of a [TypeClearMessages] event: delete all of
// the extension's voicemail. It is always the empty object {}.
type ClearMessages struct{}

// Type returns [TypeClearMessages].
func (ClearMessages) Type() Type { return TypeClearMessages }

func (ClearMessages) isPayload() {}
