package schemas

import (
	"reflect"
	"testing"
)

func TestGuestChangeApply(t *testing.T) {
	stay := CheckIn{Guest: Guest{First: "Ada", Last: "Lovelace", Title: "Dr"}, Tenant: "Grand Hotel"}
	tests := []struct {
		name   string
		change GuestChange
		want   CheckIn
	}{
		{"nothing", GuestChange{}, stay},
		{"replace one", GuestChange{Guest: &GuestPatch{Last: new("Byron")}},
			CheckIn{Guest: Guest{First: "Ada", Last: "Byron", Title: "Dr"}, Tenant: "Grand Hotel"}},
		{"clear one", GuestChange{Guest: &GuestPatch{Title: new("")}, Tenant: new("")},
			CheckIn{Guest: Guest{First: "Ada", Last: "Lovelace"}}},
		{"all guest fields", GuestChange{Guest: &GuestPatch{First: new("a"), Last: new("b"), Title: new("c"), VIP: new("d"), Language: new("e"), Reservation: new("f")}, Site: new("g")},
			CheckIn{Guest: Guest{First: "a", Last: "b", Title: "c", VIP: "d", Language: "e", Reservation: "f"}, Tenant: "Grand Hotel", Site: "g"}},
		{"mailbox added", GuestChange{Mailbox: &MailboxPatch{RoomID: new("1410")}},
			CheckIn{Guest: stay.Guest, Mailbox: &Mailbox{RoomID: "1410"}, Tenant: "Grand Hotel"}},
		{"empty mailbox patch", GuestChange{Mailbox: &MailboxPatch{}}, stay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.change.Apply(stay); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Apply = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestGuestChangeApplyKeepsStay(t *testing.T) {
	mb := &Mailbox{Description: "old", RoomID: "1203"}
	stay := CheckIn{Guest: Guest{First: "Ada"}, Mailbox: mb}
	got := GuestChange{Mailbox: &MailboxPatch{Description: new("new")}}.Apply(stay)
	if got.Mailbox.Description != "new" || got.Mailbox.RoomID != "1203" {
		t.Errorf("Mailbox = %+v", got.Mailbox)
	}
	if mb.Description != "old" {
		t.Error("Apply changed the stay's mailbox")
	}
}
