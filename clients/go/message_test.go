package paddock

import "testing"

// The server's "<Code> for <path>: <detail>" head is not repeated after Error()'s own.
func TestErrorSaysEachFactOnce(t *testing.T) {
	cases := []struct {
		err  Error
		want string
	}{
		{Error{Code: CodeBadVersion, Path: "/demo/config", Message: "BadVersion for /demo/config: expected 0, is 1"},
			"paddock: BadVersion /demo/config: expected 0, is 1"},
		{Error{Code: CodeNoNode, Path: "/a", Message: "NoNode for /a"}, "paddock: NoNode /a"},
		{Error{Code: CodeConnectionLoss, Message: "ConnectionLoss"}, "paddock: ConnectionLoss"},
		{Error{Code: CodeNoNode, Path: "/a", Message: "NoNode for /b: other"}, "paddock: NoNode /a: NoNode for /b: other"},
		{Error{Code: CodeNoNode, Path: "/a", Message: "no node"}, "paddock: NoNode /a: no node"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}
