package paddock

import (
	"errors"
	"fmt"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// Code is a ZooKeeper error code, with ZooKeeper's numbers (as paddock.v1.ErrorCode).
type Code int32

// Error codes, as ZooKeeper's.
const (
	CodeOK                           Code = 0
	CodeSystemError                  Code = -1
	CodeRuntimeInconsistency         Code = -2
	CodeDataInconsistency            Code = -3
	CodeConnectionLoss               Code = -4
	CodeMarshallingError             Code = -5
	CodeUnimplemented                Code = -6
	CodeOperationTimeout             Code = -7
	CodeBadArguments                 Code = -8
	CodeUnknownSession               Code = -12
	CodeNewConfigNoQuorum            Code = -13
	CodeReconfigInProgress           Code = -14
	CodeAPIError                     Code = -100
	CodeNoNode                       Code = -101
	CodeNoAuth                       Code = -102
	CodeBadVersion                   Code = -103
	CodeNoChildrenForEphemeral       Code = -108
	CodeNodeExists                   Code = -110
	CodeNotEmpty                     Code = -111
	CodeSessionExpired               Code = -112
	CodeInvalidCallback              Code = -113
	CodeInvalidACL                   Code = -114
	CodeAuthFailed                   Code = -115
	CodeSessionMoved                 Code = -118
	CodeNotReadOnly                  Code = -119
	CodeEphemeralOnLocalSession      Code = -120
	CodeNoWatcher                    Code = -121
	CodeRequestTimeout               Code = -122
	CodeReconfigDisabled             Code = -123
	CodeSessionClosedRequireSaslAuth Code = -124
	CodeQuotaExceeded                Code = -125
	CodeThrottled                    Code = -127
)

var codeNames = map[Code]string{
	CodeOK:                           "OK",
	CodeSystemError:                  "SystemError",
	CodeRuntimeInconsistency:         "RuntimeInconsistency",
	CodeDataInconsistency:            "DataInconsistency",
	CodeConnectionLoss:               "ConnectionLoss",
	CodeMarshallingError:             "MarshallingError",
	CodeUnimplemented:                "Unimplemented",
	CodeOperationTimeout:             "OperationTimeout",
	CodeBadArguments:                 "BadArguments",
	CodeUnknownSession:               "UnknownSession",
	CodeNewConfigNoQuorum:            "NewConfigNoQuorum",
	CodeReconfigInProgress:           "ReconfigInProgress",
	CodeAPIError:                     "APIError",
	CodeNoNode:                       "NoNode",
	CodeNoAuth:                       "NoAuth",
	CodeBadVersion:                   "BadVersion",
	CodeNoChildrenForEphemeral:       "NoChildrenForEphemerals",
	CodeNodeExists:                   "NodeExists",
	CodeNotEmpty:                     "NotEmpty",
	CodeSessionExpired:               "SessionExpired",
	CodeInvalidCallback:              "InvalidCallback",
	CodeInvalidACL:                   "InvalidACL",
	CodeAuthFailed:                   "AuthFailed",
	CodeSessionMoved:                 "SessionMoved",
	CodeNotReadOnly:                  "NotReadOnly",
	CodeEphemeralOnLocalSession:      "EphemeralOnLocalSession",
	CodeNoWatcher:                    "NoWatcher",
	CodeRequestTimeout:               "RequestTimeout",
	CodeReconfigDisabled:             "ReconfigDisabled",
	CodeSessionClosedRequireSaslAuth: "SessionClosedRequireSaslAuth",
	CodeQuotaExceeded:                "QuotaExceeded",
	CodeThrottled:                    "Throttled",
}

// String returns ZooKeeper's name for the code (NoNode, BadVersion, ...).
func (c Code) String() string {
	if name, ok := codeNames[c]; ok {
		return name
	}
	return fmt.Sprintf("Code(%d)", int32(c))
}

// Error is an error reported by the server (or, for ConnectionLoss and SessionExpired, by the
// client on the server's behalf). Compare with errors.Is against the Err* sentinels, which match
// by Code alone; use errors.As to read Path and Message.
type Error struct {
	Code    Code
	Path    string
	Message string
}

func (e *Error) Error() string {
	s := "paddock: " + e.Code.String()
	if e.Path != "" {
		s += " " + e.Path
	}
	if d := detail(e.Code, e.Path, e.Message); d != "" {
		s += ": " + d
	}
	return s
}

// Is reports whether target is an *Error with the same Code; a target with a Path or Message
// must match those too, so the Err* sentinels (code only) match any path.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Path == "" || t.Path == e.Path) && (t.Message == "" || t.Message == e.Message)
}

// Sentinels for errors.Is, one per ZooKeeper error a caller commonly handles.
var (
	ErrSystemError                  = &Error{Code: CodeSystemError}
	ErrRuntimeInconsistency         = &Error{Code: CodeRuntimeInconsistency}
	ErrConnectionLoss               = &Error{Code: CodeConnectionLoss}
	ErrUnimplemented                = &Error{Code: CodeUnimplemented}
	ErrBadArguments                 = &Error{Code: CodeBadArguments}
	ErrNewConfigNoQuorum            = &Error{Code: CodeNewConfigNoQuorum}
	ErrReconfigInProgress           = &Error{Code: CodeReconfigInProgress}
	ErrAPIError                     = &Error{Code: CodeAPIError}
	ErrNoNode                       = &Error{Code: CodeNoNode}
	ErrNoAuth                       = &Error{Code: CodeNoAuth}
	ErrBadVersion                   = &Error{Code: CodeBadVersion}
	ErrNoChildrenForEphemeral       = &Error{Code: CodeNoChildrenForEphemeral}
	ErrNodeExists                   = &Error{Code: CodeNodeExists}
	ErrNotEmpty                     = &Error{Code: CodeNotEmpty}
	ErrSessionExpired               = &Error{Code: CodeSessionExpired}
	ErrInvalidACL                   = &Error{Code: CodeInvalidACL}
	ErrAuthFailed                   = &Error{Code: CodeAuthFailed}
	ErrSessionMoved                 = &Error{Code: CodeSessionMoved}
	ErrEphemeralOnLocalSession      = &Error{Code: CodeEphemeralOnLocalSession}
	ErrNoWatcher                    = &Error{Code: CodeNoWatcher}
	ErrRequestTimeout               = &Error{Code: CodeRequestTimeout}
	ErrReconfigDisabled             = &Error{Code: CodeReconfigDisabled}
	ErrSessionClosedRequireSaslAuth = &Error{Code: CodeSessionClosedRequireSaslAuth}
	ErrQuotaExceeded                = &Error{Code: CodeQuotaExceeded}
	ErrThrottled                    = &Error{Code: CodeThrottled}
)

// Client-side errors that have no ZooKeeper code.
var (
	// ErrClosed: the client was closed by Close; no more requests are accepted.
	ErrClosed = errors.New("paddock: client closed")
	// ErrQueueFull: more requests are waiting to be sent than WithMaxQueuedRequests allows.
	ErrQueueFull = errors.New("paddock: request queue full")
	// ErrWatchOverflow: a persistent watch's consumer fell behind by more than the channel's
	// buffer; the watch was dropped (and removed on the server) rather than block the session.
	ErrWatchOverflow = errors.New("paddock: watch channel overflow, watch dropped")
	// ErrNoServer: Connect got no usable server address.
	ErrNoServer = errors.New("paddock: no server address given")
)

func errorFromPB(e *pb.Error) error {
	if e == nil || e.GetCode() == pb.ErrorCode_ERROR_CODE_OK {
		return nil
	}
	return &Error{Code: Code(e.GetCode()), Path: e.GetPath(), Message: e.GetMessage()}
}
