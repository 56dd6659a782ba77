package paddock

import "strings"

// detail is the part of a server message that Error() does not say already: the server writes
// "<Code> for <path>: <detail>" (ZooKeeper's own texts), and Error() names the code and the path
// itself, so each fact is said once ("paddock: BadVersion /a: expected 0, is 1").
func detail(code Code, path, msg string) string {
	name := code.String()
	if strings.EqualFold(msg, name) {
		return ""
	}
	if path == "" {
		return msg
	}
	head := name + " for " + path
	if len(msg) >= len(head) && strings.EqualFold(msg[:len(head)], head) {
		rest := msg[len(head):]
		if rest == "" {
			return ""
		}
		if strings.HasPrefix(rest, ": ") {
			return rest[2:]
		}
	}
	return msg
}
