from . import data_pb2 as _data_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_NONE: _ClassVar[EventType]
    EVENT_TYPE_NODE_CREATED: _ClassVar[EventType]
    EVENT_TYPE_NODE_DELETED: _ClassVar[EventType]
    EVENT_TYPE_NODE_DATA_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_NODE_CHILDREN_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_DATA_WATCH_REMOVED: _ClassVar[EventType]
    EVENT_TYPE_CHILD_WATCH_REMOVED: _ClassVar[EventType]
    EVENT_TYPE_PERSISTENT_WATCH_REMOVED: _ClassVar[EventType]

class SessionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SESSION_STATE_UNSPECIFIED: _ClassVar[SessionState]
    SESSION_STATE_CONNECTED: _ClassVar[SessionState]
    SESSION_STATE_DISCONNECTED: _ClassVar[SessionState]
    SESSION_STATE_EXPIRED: _ClassVar[SessionState]
    SESSION_STATE_CLOSED: _ClassVar[SessionState]
    SESSION_STATE_AUTH_FAILED: _ClassVar[SessionState]
EVENT_TYPE_NONE: EventType
EVENT_TYPE_NODE_CREATED: EventType
EVENT_TYPE_NODE_DELETED: EventType
EVENT_TYPE_NODE_DATA_CHANGED: EventType
EVENT_TYPE_NODE_CHILDREN_CHANGED: EventType
EVENT_TYPE_DATA_WATCH_REMOVED: EventType
EVENT_TYPE_CHILD_WATCH_REMOVED: EventType
EVENT_TYPE_PERSISTENT_WATCH_REMOVED: EventType
SESSION_STATE_UNSPECIFIED: SessionState
SESSION_STATE_CONNECTED: SessionState
SESSION_STATE_DISCONNECTED: SessionState
SESSION_STATE_EXPIRED: SessionState
SESSION_STATE_CLOSED: SessionState
SESSION_STATE_AUTH_FAILED: SessionState

class ConnectRequest(_message.Message):
    __slots__ = ("session_id", "password", "timeout_ms", "last_zxid_seen", "auth", "watches")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    LAST_ZXID_SEEN_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    WATCHES_FIELD_NUMBER: _ClassVar[int]
    session_id: int
    password: bytes
    timeout_ms: int
    last_zxid_seen: int
    auth: _containers.RepeatedCompositeFieldContainer[_data_pb2.AddAuthRequest]
    watches: SetWatches
    def __init__(self, session_id: _Optional[int] = ..., password: _Optional[bytes] = ..., timeout_ms: _Optional[int] = ..., last_zxid_seen: _Optional[int] = ..., auth: _Optional[_Iterable[_Union[_data_pb2.AddAuthRequest, _Mapping]]] = ..., watches: _Optional[_Union[SetWatches, _Mapping]] = ...) -> None: ...

class SetWatches(_message.Message):
    __slots__ = ("relative_zxid", "data_watches", "exist_watches", "child_watches", "persistent_watches", "persistent_recursive_watches")
    RELATIVE_ZXID_FIELD_NUMBER: _ClassVar[int]
    DATA_WATCHES_FIELD_NUMBER: _ClassVar[int]
    EXIST_WATCHES_FIELD_NUMBER: _ClassVar[int]
    CHILD_WATCHES_FIELD_NUMBER: _ClassVar[int]
    PERSISTENT_WATCHES_FIELD_NUMBER: _ClassVar[int]
    PERSISTENT_RECURSIVE_WATCHES_FIELD_NUMBER: _ClassVar[int]
    relative_zxid: int
    data_watches: _containers.RepeatedScalarFieldContainer[str]
    exist_watches: _containers.RepeatedScalarFieldContainer[str]
    child_watches: _containers.RepeatedScalarFieldContainer[str]
    persistent_watches: _containers.RepeatedScalarFieldContainer[str]
    persistent_recursive_watches: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, relative_zxid: _Optional[int] = ..., data_watches: _Optional[_Iterable[str]] = ..., exist_watches: _Optional[_Iterable[str]] = ..., child_watches: _Optional[_Iterable[str]] = ..., persistent_watches: _Optional[_Iterable[str]] = ..., persistent_recursive_watches: _Optional[_Iterable[str]] = ...) -> None: ...

class SetWatchesResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ConnectResponse(_message.Message):
    __slots__ = ("session_id", "password", "timeout_ms", "zxid", "max_request_bytes", "max_outstanding_requests")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    ZXID_FIELD_NUMBER: _ClassVar[int]
    MAX_REQUEST_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTSTANDING_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    session_id: int
    password: bytes
    timeout_ms: int
    zxid: int
    max_request_bytes: int
    max_outstanding_requests: int
    def __init__(self, session_id: _Optional[int] = ..., password: _Optional[bytes] = ..., timeout_ms: _Optional[int] = ..., zxid: _Optional[int] = ..., max_request_bytes: _Optional[int] = ..., max_outstanding_requests: _Optional[int] = ...) -> None: ...

class PingRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PingResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CloseSessionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CloseSessionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Request(_message.Message):
    __slots__ = ("xid", "timeout_ms", "trace", "create", "delete", "exists", "get_data", "set_data", "get_children", "get_all_children_number", "get_ephemerals", "get_acl", "set_acl", "sync", "multi", "multi_read", "add_watch", "remove_watches", "who_am_i", "add_auth", "ping", "close", "set_watches", "reconfig", "txn")
    class TraceEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    XID_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    CREATE_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    GET_DATA_FIELD_NUMBER: _ClassVar[int]
    SET_DATA_FIELD_NUMBER: _ClassVar[int]
    GET_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    GET_ALL_CHILDREN_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GET_EPHEMERALS_FIELD_NUMBER: _ClassVar[int]
    GET_ACL_FIELD_NUMBER: _ClassVar[int]
    SET_ACL_FIELD_NUMBER: _ClassVar[int]
    SYNC_FIELD_NUMBER: _ClassVar[int]
    MULTI_FIELD_NUMBER: _ClassVar[int]
    MULTI_READ_FIELD_NUMBER: _ClassVar[int]
    ADD_WATCH_FIELD_NUMBER: _ClassVar[int]
    REMOVE_WATCHES_FIELD_NUMBER: _ClassVar[int]
    WHO_AM_I_FIELD_NUMBER: _ClassVar[int]
    ADD_AUTH_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    SET_WATCHES_FIELD_NUMBER: _ClassVar[int]
    RECONFIG_FIELD_NUMBER: _ClassVar[int]
    TXN_FIELD_NUMBER: _ClassVar[int]
    xid: int
    timeout_ms: int
    trace: _containers.ScalarMap[str, str]
    create: _data_pb2.CreateRequest
    delete: _data_pb2.DeleteRequest
    exists: _data_pb2.ExistsRequest
    get_data: _data_pb2.GetDataRequest
    set_data: _data_pb2.SetDataRequest
    get_children: _data_pb2.GetChildrenRequest
    get_all_children_number: _data_pb2.GetAllChildrenNumberRequest
    get_ephemerals: _data_pb2.GetEphemeralsRequest
    get_acl: _data_pb2.GetACLRequest
    set_acl: _data_pb2.SetACLRequest
    sync: _data_pb2.SyncRequest
    multi: _data_pb2.MultiRequest
    multi_read: _data_pb2.MultiReadRequest
    add_watch: _data_pb2.AddWatchRequest
    remove_watches: _data_pb2.RemoveWatchesRequest
    who_am_i: _data_pb2.WhoAmIRequest
    add_auth: _data_pb2.AddAuthRequest
    ping: PingRequest
    close: CloseSessionRequest
    set_watches: SetWatches
    reconfig: _data_pb2.ReconfigRequest
    txn: _data_pb2.TxnRequest
    def __init__(self, xid: _Optional[int] = ..., timeout_ms: _Optional[int] = ..., trace: _Optional[_Mapping[str, str]] = ..., create: _Optional[_Union[_data_pb2.CreateRequest, _Mapping]] = ..., delete: _Optional[_Union[_data_pb2.DeleteRequest, _Mapping]] = ..., exists: _Optional[_Union[_data_pb2.ExistsRequest, _Mapping]] = ..., get_data: _Optional[_Union[_data_pb2.GetDataRequest, _Mapping]] = ..., set_data: _Optional[_Union[_data_pb2.SetDataRequest, _Mapping]] = ..., get_children: _Optional[_Union[_data_pb2.GetChildrenRequest, _Mapping]] = ..., get_all_children_number: _Optional[_Union[_data_pb2.GetAllChildrenNumberRequest, _Mapping]] = ..., get_ephemerals: _Optional[_Union[_data_pb2.GetEphemeralsRequest, _Mapping]] = ..., get_acl: _Optional[_Union[_data_pb2.GetACLRequest, _Mapping]] = ..., set_acl: _Optional[_Union[_data_pb2.SetACLRequest, _Mapping]] = ..., sync: _Optional[_Union[_data_pb2.SyncRequest, _Mapping]] = ..., multi: _Optional[_Union[_data_pb2.MultiRequest, _Mapping]] = ..., multi_read: _Optional[_Union[_data_pb2.MultiReadRequest, _Mapping]] = ..., add_watch: _Optional[_Union[_data_pb2.AddWatchRequest, _Mapping]] = ..., remove_watches: _Optional[_Union[_data_pb2.RemoveWatchesRequest, _Mapping]] = ..., who_am_i: _Optional[_Union[_data_pb2.WhoAmIRequest, _Mapping]] = ..., add_auth: _Optional[_Union[_data_pb2.AddAuthRequest, _Mapping]] = ..., ping: _Optional[_Union[PingRequest, _Mapping]] = ..., close: _Optional[_Union[CloseSessionRequest, _Mapping]] = ..., set_watches: _Optional[_Union[SetWatches, _Mapping]] = ..., reconfig: _Optional[_Union[_data_pb2.ReconfigRequest, _Mapping]] = ..., txn: _Optional[_Union[_data_pb2.TxnRequest, _Mapping]] = ...) -> None: ...

class Reply(_message.Message):
    __slots__ = ("xid", "zxid", "error", "create", "delete", "exists", "get_data", "set_data", "get_children", "get_all_children_number", "get_ephemerals", "get_acl", "set_acl", "sync", "multi", "multi_read", "add_watch", "remove_watches", "who_am_i", "add_auth", "ping", "close", "set_watches", "reconfig", "txn")
    XID_FIELD_NUMBER: _ClassVar[int]
    ZXID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATE_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    GET_DATA_FIELD_NUMBER: _ClassVar[int]
    SET_DATA_FIELD_NUMBER: _ClassVar[int]
    GET_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    GET_ALL_CHILDREN_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GET_EPHEMERALS_FIELD_NUMBER: _ClassVar[int]
    GET_ACL_FIELD_NUMBER: _ClassVar[int]
    SET_ACL_FIELD_NUMBER: _ClassVar[int]
    SYNC_FIELD_NUMBER: _ClassVar[int]
    MULTI_FIELD_NUMBER: _ClassVar[int]
    MULTI_READ_FIELD_NUMBER: _ClassVar[int]
    ADD_WATCH_FIELD_NUMBER: _ClassVar[int]
    REMOVE_WATCHES_FIELD_NUMBER: _ClassVar[int]
    WHO_AM_I_FIELD_NUMBER: _ClassVar[int]
    ADD_AUTH_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    SET_WATCHES_FIELD_NUMBER: _ClassVar[int]
    RECONFIG_FIELD_NUMBER: _ClassVar[int]
    TXN_FIELD_NUMBER: _ClassVar[int]
    xid: int
    zxid: int
    error: _data_pb2.Error
    create: _data_pb2.CreateResponse
    delete: _data_pb2.DeleteResponse
    exists: _data_pb2.ExistsResponse
    get_data: _data_pb2.GetDataResponse
    set_data: _data_pb2.SetDataResponse
    get_children: _data_pb2.GetChildrenResponse
    get_all_children_number: _data_pb2.GetAllChildrenNumberResponse
    get_ephemerals: _data_pb2.GetEphemeralsResponse
    get_acl: _data_pb2.GetACLResponse
    set_acl: _data_pb2.SetACLResponse
    sync: _data_pb2.SyncResponse
    multi: _data_pb2.MultiResponse
    multi_read: _data_pb2.MultiReadResponse
    add_watch: _data_pb2.AddWatchResponse
    remove_watches: _data_pb2.RemoveWatchesResponse
    who_am_i: _data_pb2.WhoAmIResponse
    add_auth: _data_pb2.AddAuthResponse
    ping: PingResponse
    close: CloseSessionResponse
    set_watches: SetWatchesResponse
    reconfig: _data_pb2.GetDataResponse
    txn: _data_pb2.TxnResponse
    def __init__(self, xid: _Optional[int] = ..., zxid: _Optional[int] = ..., error: _Optional[_Union[_data_pb2.Error, _Mapping]] = ..., create: _Optional[_Union[_data_pb2.CreateResponse, _Mapping]] = ..., delete: _Optional[_Union[_data_pb2.DeleteResponse, _Mapping]] = ..., exists: _Optional[_Union[_data_pb2.ExistsResponse, _Mapping]] = ..., get_data: _Optional[_Union[_data_pb2.GetDataResponse, _Mapping]] = ..., set_data: _Optional[_Union[_data_pb2.SetDataResponse, _Mapping]] = ..., get_children: _Optional[_Union[_data_pb2.GetChildrenResponse, _Mapping]] = ..., get_all_children_number: _Optional[_Union[_data_pb2.GetAllChildrenNumberResponse, _Mapping]] = ..., get_ephemerals: _Optional[_Union[_data_pb2.GetEphemeralsResponse, _Mapping]] = ..., get_acl: _Optional[_Union[_data_pb2.GetACLResponse, _Mapping]] = ..., set_acl: _Optional[_Union[_data_pb2.SetACLResponse, _Mapping]] = ..., sync: _Optional[_Union[_data_pb2.SyncResponse, _Mapping]] = ..., multi: _Optional[_Union[_data_pb2.MultiResponse, _Mapping]] = ..., multi_read: _Optional[_Union[_data_pb2.MultiReadResponse, _Mapping]] = ..., add_watch: _Optional[_Union[_data_pb2.AddWatchResponse, _Mapping]] = ..., remove_watches: _Optional[_Union[_data_pb2.RemoveWatchesResponse, _Mapping]] = ..., who_am_i: _Optional[_Union[_data_pb2.WhoAmIResponse, _Mapping]] = ..., add_auth: _Optional[_Union[_data_pb2.AddAuthResponse, _Mapping]] = ..., ping: _Optional[_Union[PingResponse, _Mapping]] = ..., close: _Optional[_Union[CloseSessionResponse, _Mapping]] = ..., set_watches: _Optional[_Union[SetWatchesResponse, _Mapping]] = ..., reconfig: _Optional[_Union[_data_pb2.GetDataResponse, _Mapping]] = ..., txn: _Optional[_Union[_data_pb2.TxnResponse, _Mapping]] = ...) -> None: ...

class WatchEvent(_message.Message):
    __slots__ = ("type", "path", "zxid")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    ZXID_FIELD_NUMBER: _ClassVar[int]
    type: EventType
    path: str
    zxid: int
    def __init__(self, type: _Optional[_Union[EventType, str]] = ..., path: _Optional[str] = ..., zxid: _Optional[int] = ...) -> None: ...

class SessionEvent(_message.Message):
    __slots__ = ("state", "error")
    STATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    state: SessionState
    error: _data_pb2.Error
    def __init__(self, state: _Optional[_Union[SessionState, str]] = ..., error: _Optional[_Union[_data_pb2.Error, _Mapping]] = ...) -> None: ...

class ClientMessage(_message.Message):
    __slots__ = ("connect", "request")
    CONNECT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    connect: ConnectRequest
    request: Request
    def __init__(self, connect: _Optional[_Union[ConnectRequest, _Mapping]] = ..., request: _Optional[_Union[Request, _Mapping]] = ...) -> None: ...

class ServerMessage(_message.Message):
    __slots__ = ("connected", "reply", "event", "session_event")
    CONNECTED_FIELD_NUMBER: _ClassVar[int]
    REPLY_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    SESSION_EVENT_FIELD_NUMBER: _ClassVar[int]
    connected: ConnectResponse
    reply: Reply
    event: WatchEvent
    session_event: SessionEvent
    def __init__(self, connected: _Optional[_Union[ConnectResponse, _Mapping]] = ..., reply: _Optional[_Union[Reply, _Mapping]] = ..., event: _Optional[_Union[WatchEvent, _Mapping]] = ..., session_event: _Optional[_Union[SessionEvent, _Mapping]] = ...) -> None: ...

class SessionRequest(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[ClientMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[ClientMessage, _Mapping]]] = ...) -> None: ...

class SessionResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[ServerMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[ServerMessage, _Mapping]]] = ...) -> None: ...
