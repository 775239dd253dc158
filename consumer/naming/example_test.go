package naming_test

import (
	"fmt"

	"github.com/pbxlink/pbxlink/consumer/naming"
)

func Example() {
	tmpl, err := naming.Parse(naming.Default) // from PBXLINK_NAME_TEMPLATE
	if err != nil {
		panic(err)
	}

	// pbxlink.checkin on extension 1203.
	stay := naming.Vars{VIP: "VIP", First: "Ada", Last: "Lovelace", Extension: "1203"}
	first, last := tmpl.Split(stay, 64) // a Zoom user's first_name and last_name
	fmt.Printf("%q %q %q\n", tmpl.Full(stay, 128), first, last)

	// A long name is cut to fit; the extension never is.
	long := naming.Vars{First: "Maximiliane", Last: "Wolfeschlegelsteinhausenbergerdorff", Extension: "1203"}
	fmt.Printf("%q\n", tmpl.Full(long, 20))

	// Guest text is shown as typed, never expanded.
	odd := naming.Vars{First: "${extension}", Last: "\tO'Brien\n", Extension: "1203"}
	fmt.Printf("%q\n", tmpl.Full(odd, 128))

	// pbxlink.checkout: no guest data is left.
	empty := naming.Vars{Extension: "1203"}
	first, last = tmpl.Split(empty, 64)
	fmt.Printf("%q %q %q\n", tmpl.Full(empty, 128), first, last)

	_, err = naming.Parse("${first} ${lastname} ${extension}")
	fmt.Println(err)
	// Output:
	// "VIP Ada Lovelace 1203" "VIP Ada" "Lovelace 1203"
	// "Maximil Wolfesc 1203"
	// "${extension} O'Brien 1203"
	// "1203" "1203" "1203"
	// name template, character 10: unknown variable ${lastname}; the known variables are ${vip}, ${first}, ${last}, ${title}, ${language}, ${reservation}, ${extension}, ${room_id}, ${tenant}, ${site}
}
