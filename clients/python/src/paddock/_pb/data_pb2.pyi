from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Perm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERM_NONE: _ClassVar[Perm]
    PERM_READ: _ClassVar[Perm]
    PERM_WRITE: _ClassVar[Perm]
    PERM_CREATE: _ClassVar[Perm]
    PERM_DELETE: _ClassVar[Perm]
    PERM_ADMIN: _ClassVar[Perm]
    PERM_ALL: _ClassVar[Perm]

class CreateMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREATE_MODE_PERSISTENT: _ClassVar[CreateMode]
    CREATE_MODE_EPHEMERAL: _ClassVar[CreateMode]
    CREATE_MODE_PERSISTENT_SEQUENTIAL: _ClassVar[CreateMode]
    CREATE_MODE_EPHEMERAL_SEQUENTIAL: _ClassVar[CreateMode]
    CREATE_MODE_CONTAINER: _ClassVar[CreateMode]
    CREATE_MODE_PERSISTENT_WITH_TTL: _ClassVar[CreateMode]
    CREATE_MODE_PERSISTENT_SEQUENTIAL_WITH_TTL: _ClassVar[CreateMode]

class Consistency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSISTENCY_SEQUENTIAL: _ClassVar[Consistency]
    CONSISTENCY_LINEARIZABLE: _ClassVar[Consistency]

class CompareTarget(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPARE_TARGET_UNSPECIFIED: _ClassVar[CompareTarget]
    COMPARE_TARGET_EXISTS: _ClassVar[CompareTarget]
    COMPARE_TARGET_VERSION: _ClassVar[CompareTarget]
    COMPARE_TARGET_CVERSION: _ClassVar[CompareTarget]
    COMPARE_TARGET_AVERSION: _ClassVar[CompareTarget]
    COMPARE_TARGET_CZXID: _ClassVar[CompareTarget]
    COMPARE_TARGET_MZXID: _ClassVar[CompareTarget]
    COMPARE_TARGET_PZXID: _ClassVar[CompareTarget]
    COMPARE_TARGET_NUM_CHILDREN: _ClassVar[CompareTarget]
    COMPARE_TARGET_EPHEMERAL_OWNER: _ClassVar[CompareTarget]
    COMPARE_TARGET_DATA_LENGTH: _ClassVar[CompareTarget]

class CompareOp(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPARE_OP_UNSPECIFIED: _ClassVar[CompareOp]
    COMPARE_OP_EQUAL: _ClassVar[CompareOp]
    COMPARE_OP_NOT_EQUAL: _ClassVar[CompareOp]
    COMPARE_OP_LESS: _ClassVar[CompareOp]
    COMPARE_OP_GREATER: _ClassVar[CompareOp]

class AddWatchMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADD_WATCH_MODE_PERSISTENT: _ClassVar[AddWatchMode]
    ADD_WATCH_MODE_PERSISTENT_RECURSIVE: _ClassVar[AddWatchMode]

class WatcherType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCHER_TYPE_UNSPECIFIED: _ClassVar[WatcherType]
    WATCHER_TYPE_CHILDREN: _ClassVar[WatcherType]
    WATCHER_TYPE_DATA: _ClassVar[WatcherType]
    WATCHER_TYPE_ANY: _ClassVar[WatcherType]
    WATCHER_TYPE_PERSISTENT: _ClassVar[WatcherType]
    WATCHER_TYPE_PERSISTENT_RECURSIVE: _ClassVar[WatcherType]

class ErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_CODE_OK: _ClassVar[ErrorCode]
    ERROR_CODE_SYSTEM_ERROR: _ClassVar[ErrorCode]
    ERROR_CODE_RUNTIME_INCONSISTENCY: _ClassVar[ErrorCode]
    ERROR_CODE_DATA_INCONSISTENCY: _ClassVar[ErrorCode]
    ERROR_CODE_CONNECTION_LOSS: _ClassVar[ErrorCode]
    ERROR_CODE_MARSHALLING_ERROR: _ClassVar[ErrorCode]
    ERROR_CODE_UNIMPLEMENTED: _ClassVar[ErrorCode]
    ERROR_CODE_OPERATION_TIMEOUT: _ClassVar[ErrorCode]
    ERROR_CODE_BAD_ARGUMENTS: _ClassVar[ErrorCode]
    ERROR_CODE_UNKNOWN_SESSION: _ClassVar[ErrorCode]
    ERROR_CODE_NEW_CONFIG_NO_QUORUM: _ClassVar[ErrorCode]
    ERROR_CODE_RECONFIG_IN_PROGRESS: _ClassVar[ErrorCode]
    ERROR_CODE_API_ERROR: _ClassVar[ErrorCode]
    ERROR_CODE_NO_NODE: _ClassVar[ErrorCode]
    ERROR_CODE_NO_AUTH: _ClassVar[ErrorCode]
    ERROR_CODE_BAD_VERSION: _ClassVar[ErrorCode]
    ERROR_CODE_NO_CHILDREN_FOR_EPHEMERALS: _ClassVar[ErrorCode]
    ERROR_CODE_NODE_EXISTS: _ClassVar[ErrorCode]
    ERROR_CODE_NOT_EMPTY: _ClassVar[ErrorCode]
    ERROR_CODE_SESSION_EXPIRED: _ClassVar[ErrorCode]
    ERROR_CODE_INVALID_CALLBACK: _ClassVar[ErrorCode]
    ERROR_CODE_INVALID_ACL: _ClassVar[ErrorCode]
    ERROR_CODE_AUTH_FAILED: _ClassVar[ErrorCode]
    ERROR_CODE_SESSION_MOVED: _ClassVar[ErrorCode]
    ERROR_CODE_NOT_READ_ONLY: _ClassVar[ErrorCode]
    ERROR_CODE_EPHEMERAL_ON_LOCAL_SESSION: _ClassVar[ErrorCode]
    ERROR_CODE_NO_WATCHER: _ClassVar[ErrorCode]
    ERROR_CODE_REQUEST_TIMEOUT: _ClassVar[ErrorCode]
    ERROR_CODE_RECONFIG_DISABLED: _ClassVar[ErrorCode]
    ERROR_CODE_SESSION_CLOSED_REQUIRE_SASL_AUTH: _ClassVar[ErrorCode]
    ERROR_CODE_QUOTA_EXCEEDED: _ClassVar[ErrorCode]
    ERROR_CODE_THROTTLED: _ClassVar[ErrorCode]
PERM_NONE: Perm
PERM_READ: Perm
PERM_WRITE: Perm
PERM_CREATE: Perm
PERM_DELETE: Perm
PERM_ADMIN: Perm
PERM_ALL: Perm
CREATE_MODE_PERSISTENT: CreateMode
CREATE_MODE_EPHEMERAL: CreateMode
CREATE_MODE_PERSISTENT_SEQUENTIAL: CreateMode
CREATE_MODE_EPHEMERAL_SEQUENTIAL: CreateMode
CREATE_MODE_CONTAINER: CreateMode
CREATE_MODE_PERSISTENT_WITH_TTL: CreateMode
CREATE_MODE_PERSISTENT_SEQUENTIAL_WITH_TTL: CreateMode
CONSISTENCY_SEQUENTIAL: Consistency
CONSISTENCY_LINEARIZABLE: Consistency
COMPARE_TARGET_UNSPECIFIED: CompareTarget
COMPARE_TARGET_EXISTS: CompareTarget
COMPARE_TARGET_VERSION: CompareTarget
COMPARE_TARGET_CVERSION: CompareTarget
COMPARE_TARGET_AVERSION: CompareTarget
COMPARE_TARGET_CZXID: CompareTarget
COMPARE_TARGET_MZXID: CompareTarget
COMPARE_TARGET_PZXID: CompareTarget
COMPARE_TARGET_NUM_CHILDREN: CompareTarget
COMPARE_TARGET_EPHEMERAL_OWNER: CompareTarget
COMPARE_TARGET_DATA_LENGTH: CompareTarget
COMPARE_OP_UNSPECIFIED: CompareOp
COMPARE_OP_EQUAL: CompareOp
COMPARE_OP_NOT_EQUAL: CompareOp
COMPARE_OP_LESS: CompareOp
COMPARE_OP_GREATER: CompareOp
ADD_WATCH_MODE_PERSISTENT: AddWatchMode
ADD_WATCH_MODE_PERSISTENT_RECURSIVE: AddWatchMode
WATCHER_TYPE_UNSPECIFIED: WatcherType
WATCHER_TYPE_CHILDREN: WatcherType
WATCHER_TYPE_DATA: WatcherType
WATCHER_TYPE_ANY: WatcherType
WATCHER_TYPE_PERSISTENT: WatcherType
WATCHER_TYPE_PERSISTENT_RECURSIVE: WatcherType
ERROR_CODE_OK: ErrorCode
ERROR_CODE_SYSTEM_ERROR: ErrorCode
ERROR_CODE_RUNTIME_INCONSISTENCY: ErrorCode
ERROR_CODE_DATA_INCONSISTENCY: ErrorCode
ERROR_CODE_CONNECTION_LOSS: ErrorCode
ERROR_CODE_MARSHALLING_ERROR: ErrorCode
ERROR_CODE_UNIMPLEMENTED: ErrorCode
ERROR_CODE_OPERATION_TIMEOUT: ErrorCode
ERROR_CODE_BAD_ARGUMENTS: ErrorCode
ERROR_CODE_UNKNOWN_SESSION: ErrorCode
ERROR_CODE_NEW_CONFIG_NO_QUORUM: ErrorCode
ERROR_CODE_RECONFIG_IN_PROGRESS: ErrorCode
ERROR_CODE_API_ERROR: ErrorCode
ERROR_CODE_NO_NODE: ErrorCode
ERROR_CODE_NO_AUTH: ErrorCode
ERROR_CODE_BAD_VERSION: ErrorCode
ERROR_CODE_NO_CHILDREN_FOR_EPHEMERALS: ErrorCode
ERROR_CODE_NODE_EXISTS: ErrorCode
ERROR_CODE_NOT_EMPTY: ErrorCode
ERROR_CODE_SESSION_EXPIRED: ErrorCode
ERROR_CODE_INVALID_CALLBACK: ErrorCode
ERROR_CODE_INVALID_ACL: ErrorCode
ERROR_CODE_AUTH_FAILED: ErrorCode
ERROR_CODE_SESSION_MOVED: ErrorCode
ERROR_CODE_NOT_READ_ONLY: ErrorCode
ERROR_CODE_EPHEMERAL_ON_LOCAL_SESSION: ErrorCode
ERROR_CODE_NO_WATCHER: ErrorCode
ERROR_CODE_REQUEST_TIMEOUT: ErrorCode
ERROR_CODE_RECONFIG_DISABLED: ErrorCode
ERROR_CODE_SESSION_CLOSED_REQUIRE_SASL_AUTH: ErrorCode
ERROR_CODE_QUOTA_EXCEEDED: ErrorCode
ERROR_CODE_THROTTLED: ErrorCode

class Stat(_message.Message):
    __slots__ = ("czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion", "ephemeral_owner", "data_length", "num_children", "pzxid")
    CZXID_FIELD_NUMBER: _ClassVar[int]
    MZXID_FIELD_NUMBER: _ClassVar[int]
    CTIME_FIELD_NUMBER: _ClassVar[int]
    MTIME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CVERSION_FIELD_NUMBER: _ClassVar[int]
    AVERSION_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_OWNER_FIELD_NUMBER: _ClassVar[int]
    DATA_LENGTH_FIELD_NUMBER: _ClassVar[int]
    NUM_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    PZXID_FIELD_NUMBER: _ClassVar[int]
    czxid: int
    mzxid: int
    ctime: int
    mtime: int
    version: int
    cversion: int
    aversion: int
    ephemeral_owner: int
    data_length: int
    num_children: int
    pzxid: int
    def __init__(self, czxid: _Optional[int] = ..., mzxid: _Optional[int] = ..., ctime: _Optional[int] = ..., mtime: _Optional[int] = ..., version: _Optional[int] = ..., cversion: _Optional[int] = ..., aversion: _Optional[int] = ..., ephemeral_owner: _Optional[int] = ..., data_length: _Optional[int] = ..., num_children: _Optional[int] = ..., pzxid: _Optional[int] = ...) -> None: ...

class Id(_message.Message):
    __slots__ = ("scheme", "id")
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    id: str
    def __init__(self, scheme: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class ACL(_message.Message):
    __slots__ = ("perms", "id")
    PERMS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    perms: int
    id: Id
    def __init__(self, perms: _Optional[int] = ..., id: _Optional[_Union[Id, _Mapping]] = ...) -> None: ...

class CreateRequest(_message.Message):
    __slots__ = ("path", "data", "acl", "mode", "ttl", "data_null")
    PATH_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    ACL_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    DATA_NULL_FIELD_NUMBER: _ClassVar[int]
    path: str
    data: bytes
    acl: _containers.RepeatedCompositeFieldContainer[ACL]
    mode: CreateMode
    ttl: int
    data_null: bool
    def __init__(self, path: _Optional[str] = ..., data: _Optional[bytes] = ..., acl: _Optional[_Iterable[_Union[ACL, _Mapping]]] = ..., mode: _Optional[_Union[CreateMode, str]] = ..., ttl: _Optional[int] = ..., data_null: _Optional[bool] = ...) -> None: ...

class CreateResponse(_message.Message):
    __slots__ = ("path", "stat")
    PATH_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    path: str
    stat: Stat
    def __init__(self, path: _Optional[str] = ..., stat: _Optional[_Union[Stat, _Mapping]] = ...) -> None: ...

class DeleteRequest(_message.Message):
    __slots__ = ("path", "version")
    PATH_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    path: str
    version: int
    def __init__(self, path: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DeleteResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExistsRequest(_message.Message):
    __slots__ = ("path", "watch", "consistency")
    PATH_FIELD_NUMBER: _ClassVar[int]
    WATCH_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    path: str
    watch: bool
    consistency: Consistency
    def __init__(self, path: _Optional[str] = ..., watch: _Optional[bool] = ..., consistency: _Optional[_Union[Consistency, str]] = ...) -> None: ...

class ExistsResponse(_message.Message):
    __slots__ = ("stat",)
    STAT_FIELD_NUMBER: _ClassVar[int]
    stat: Stat
    def __init__(self, stat: _Optional[_Union[Stat, _Mapping]] = ...) -> None: ...

class GetDataRequest(_message.Message):
    __slots__ = ("path", "watch", "consistency")
    PATH_FIELD_NUMBER: _ClassVar[int]
    WATCH_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    path: str
    watch: bool
    consistency: Consistency
    def __init__(self, path: _Optional[str] = ..., watch: _Optional[bool] = ..., consistency: _Optional[_Union[Consistency, str]] = ...) -> None: ...

class GetDataResponse(_message.Message):
    __slots__ = ("data", "stat", "data_null")
    DATA_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    DATA_NULL_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    stat: Stat
    data_null: bool
    def __init__(self, data: _Optional[bytes] = ..., stat: _Optional[_Union[Stat, _Mapping]] = ..., data_null: _Optional[bool] = ...) -> None: ...

class GetDataChunksRequest(_message.Message):
    __slots__ = ("path", "consistency", "chunk_bytes")
    PATH_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    path: str
    consistency: Consistency
    chunk_bytes: int
    def __init__(self, path: _Optional[str] = ..., consistency: _Optional[_Union[Consistency, str]] = ..., chunk_bytes: _Optional[int] = ...) -> None: ...

class DataChunk(_message.Message):
    __slots__ = ("offset", "data", "stat", "data_null", "last")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    DATA_NULL_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    offset: int
    data: bytes
    stat: Stat
    data_null: bool
    last: bool
    def __init__(self, offset: _Optional[int] = ..., data: _Optional[bytes] = ..., stat: _Optional[_Union[Stat, _Mapping]] = ..., data_null: _Optional[bool] = ..., last: _Optional[bool] = ...) -> None: ...

class SetDataRequest(_message.Message):
    __slots__ = ("path", "data", "version", "data_null")
    PATH_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DATA_NULL_FIELD_NUMBER: _ClassVar[int]
    path: str
    data: bytes
    version: int
    data_null: bool
    def __init__(self, path: _Optional[str] = ..., data: _Optional[bytes] = ..., version: _Optional[int] = ..., data_null: _Optional[bool] = ...) -> None: ...

class SetDataResponse(_message.Message):
    __slots__ = ("stat",)
    STAT_FIELD_NUMBER: _ClassVar[int]
    stat: Stat
    def __init__(self, stat: _Optional[_Union[Stat, _Mapping]] = ...) -> None: ...

class GetChildrenRequest(_message.Message):
    __slots__ = ("path", "watch", "consistency", "page_size", "page_token", "name_prefix", "count_only")
    PATH_FIELD_NUMBER: _ClassVar[int]
    WATCH_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    NAME_PREFIX_FIELD_NUMBER: _ClassVar[int]
    COUNT_ONLY_FIELD_NUMBER: _ClassVar[int]
    path: str
    watch: bool
    consistency: Consistency
    page_size: int
    page_token: str
    name_prefix: str
    count_only: bool
    def __init__(self, path: _Optional[str] = ..., watch: _Optional[bool] = ..., consistency: _Optional[_Union[Consistency, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., name_prefix: _Optional[str] = ..., count_only: _Optional[bool] = ...) -> None: ...

class GetChildrenResponse(_message.Message):
    __slots__ = ("children", "stat", "next_page_token", "count")
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    children: _containers.RepeatedScalarFieldContainer[str]
    stat: Stat
    next_page_token: str
    count: int
    def __init__(self, children: _Optional[_Iterable[str]] = ..., stat: _Optional[_Union[Stat, _Mapping]] = ..., next_page_token: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class GetAllChildrenNumberRequest(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class GetAllChildrenNumberResponse(_message.Message):
    __slots__ = ("number",)
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: int
    def __init__(self, number: _Optional[int] = ...) -> None: ...

class GetEphemeralsRequest(_message.Message):
    __slots__ = ("prefix_path",)
    PREFIX_PATH_FIELD_NUMBER: _ClassVar[int]
    prefix_path: str
    def __init__(self, prefix_path: _Optional[str] = ...) -> None: ...

class GetEphemeralsResponse(_message.Message):
    __slots__ = ("paths",)
    PATHS_FIELD_NUMBER: _ClassVar[int]
    paths: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, paths: _Optional[_Iterable[str]] = ...) -> None: ...

class GetACLRequest(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class GetACLResponse(_message.Message):
    __slots__ = ("acl", "stat")
    ACL_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    acl: _containers.RepeatedCompositeFieldContainer[ACL]
    stat: Stat
    def __init__(self, acl: _Optional[_Iterable[_Union[ACL, _Mapping]]] = ..., stat: _Optional[_Union[Stat, _Mapping]] = ...) -> None: ...

class SetACLRequest(_message.Message):
    __slots__ = ("path", "acl", "version")
    PATH_FIELD_NUMBER: _ClassVar[int]
    ACL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    path: str
    acl: _containers.RepeatedCompositeFieldContainer[ACL]
    version: int
    def __init__(self, path: _Optional[str] = ..., acl: _Optional[_Iterable[_Union[ACL, _Mapping]]] = ..., version: _Optional[int] = ...) -> None: ...

class SetACLResponse(_message.Message):
    __slots__ = ("stat",)
    STAT_FIELD_NUMBER: _ClassVar[int]
    stat: Stat
    def __init__(self, stat: _Optional[_Union[Stat, _Mapping]] = ...) -> None: ...

class SyncRequest(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class SyncResponse(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class CheckRequest(_message.Message):
    __slots__ = ("path", "version")
    PATH_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    path: str
    version: int
    def __init__(self, path: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class CheckResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Op(_message.Message):
    __slots__ = ("create", "delete", "set_data", "check")
    CREATE_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    SET_DATA_FIELD_NUMBER: _ClassVar[int]
    CHECK_FIELD_NUMBER: _ClassVar[int]
    create: CreateRequest
    delete: DeleteRequest
    set_data: SetDataRequest
    check: CheckRequest
    def __init__(self, create: _Optional[_Union[CreateRequest, _Mapping]] = ..., delete: _Optional[_Union[DeleteRequest, _Mapping]] = ..., set_data: _Optional[_Union[SetDataRequest, _Mapping]] = ..., check: _Optional[_Union[CheckRequest, _Mapping]] = ...) -> None: ...

class OpResult(_message.Message):
    __slots__ = ("create", "delete", "set_data", "check", "error")
    CREATE_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    SET_DATA_FIELD_NUMBER: _ClassVar[int]
    CHECK_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    create: CreateResponse
    delete: DeleteResponse
    set_data: SetDataResponse
    check: CheckResponse
    error: Error
    def __init__(self, create: _Optional[_Union[CreateResponse, _Mapping]] = ..., delete: _Optional[_Union[DeleteResponse, _Mapping]] = ..., set_data: _Optional[_Union[SetDataResponse, _Mapping]] = ..., check: _Optional[_Union[CheckResponse, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class MultiRequest(_message.Message):
    __slots__ = ("ops",)
    OPS_FIELD_NUMBER: _ClassVar[int]
    ops: _containers.RepeatedCompositeFieldContainer[Op]
    def __init__(self, ops: _Optional[_Iterable[_Union[Op, _Mapping]]] = ...) -> None: ...

class MultiResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[OpResult]
    def __init__(self, results: _Optional[_Iterable[_Union[OpResult, _Mapping]]] = ...) -> None: ...

class Compare(_message.Message):
    __slots__ = ("path", "target", "op", "value")
    PATH_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    path: str
    target: CompareTarget
    op: CompareOp
    value: int
    def __init__(self, path: _Optional[str] = ..., target: _Optional[_Union[CompareTarget, str]] = ..., op: _Optional[_Union[CompareOp, str]] = ..., value: _Optional[int] = ...) -> None: ...

class TxnRequest(_message.Message):
    __slots__ = ("compare", "then_ops", "else_ops")
    COMPARE_FIELD_NUMBER: _ClassVar[int]
    THEN_OPS_FIELD_NUMBER: _ClassVar[int]
    ELSE_OPS_FIELD_NUMBER: _ClassVar[int]
    compare: _containers.RepeatedCompositeFieldContainer[Compare]
    then_ops: _containers.RepeatedCompositeFieldContainer[Op]
    else_ops: _containers.RepeatedCompositeFieldContainer[Op]
    def __init__(self, compare: _Optional[_Iterable[_Union[Compare, _Mapping]]] = ..., then_ops: _Optional[_Iterable[_Union[Op, _Mapping]]] = ..., else_ops: _Optional[_Iterable[_Union[Op, _Mapping]]] = ...) -> None: ...

class TxnResponse(_message.Message):
    __slots__ = ("succeeded", "results")
    SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    succeeded: bool
    results: _containers.RepeatedCompositeFieldContainer[OpResult]
    def __init__(self, succeeded: _Optional[bool] = ..., results: _Optional[_Iterable[_Union[OpResult, _Mapping]]] = ...) -> None: ...

class ReadOp(_message.Message):
    __slots__ = ("get_children", "get_data")
    GET_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    GET_DATA_FIELD_NUMBER: _ClassVar[int]
    get_children: GetChildrenRequest
    get_data: GetDataRequest
    def __init__(self, get_children: _Optional[_Union[GetChildrenRequest, _Mapping]] = ..., get_data: _Optional[_Union[GetDataRequest, _Mapping]] = ...) -> None: ...

class ReadOpResult(_message.Message):
    __slots__ = ("get_children", "get_data", "error")
    GET_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    GET_DATA_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    get_children: GetChildrenResponse
    get_data: GetDataResponse
    error: Error
    def __init__(self, get_children: _Optional[_Union[GetChildrenResponse, _Mapping]] = ..., get_data: _Optional[_Union[GetDataResponse, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class MultiReadRequest(_message.Message):
    __slots__ = ("ops",)
    OPS_FIELD_NUMBER: _ClassVar[int]
    ops: _containers.RepeatedCompositeFieldContainer[ReadOp]
    def __init__(self, ops: _Optional[_Iterable[_Union[ReadOp, _Mapping]]] = ...) -> None: ...

class MultiReadResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ReadOpResult]
    def __init__(self, results: _Optional[_Iterable[_Union[ReadOpResult, _Mapping]]] = ...) -> None: ...

class AddWatchRequest(_message.Message):
    __slots__ = ("path", "mode")
    PATH_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    path: str
    mode: AddWatchMode
    def __init__(self, path: _Optional[str] = ..., mode: _Optional[_Union[AddWatchMode, str]] = ...) -> None: ...

class AddWatchResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RemoveWatchesRequest(_message.Message):
    __slots__ = ("path", "type", "check_only")
    PATH_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CHECK_ONLY_FIELD_NUMBER: _ClassVar[int]
    path: str
    type: WatcherType
    check_only: bool
    def __init__(self, path: _Optional[str] = ..., type: _Optional[_Union[WatcherType, str]] = ..., check_only: _Optional[bool] = ...) -> None: ...

class RemoveWatchesResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WhoAmIRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ClientInfo(_message.Message):
    __slots__ = ("auth_scheme", "user")
    AUTH_SCHEME_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    auth_scheme: str
    user: str
    def __init__(self, auth_scheme: _Optional[str] = ..., user: _Optional[str] = ...) -> None: ...

class WhoAmIResponse(_message.Message):
    __slots__ = ("client_info",)
    CLIENT_INFO_FIELD_NUMBER: _ClassVar[int]
    client_info: _containers.RepeatedCompositeFieldContainer[ClientInfo]
    def __init__(self, client_info: _Optional[_Iterable[_Union[ClientInfo, _Mapping]]] = ...) -> None: ...

class AddAuthRequest(_message.Message):
    __slots__ = ("scheme", "auth")
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    AUTH_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    auth: bytes
    def __init__(self, scheme: _Optional[str] = ..., auth: _Optional[bytes] = ...) -> None: ...

class AddAuthResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReconfigRequest(_message.Message):
    __slots__ = ("joining_servers", "leaving_servers", "new_members", "cur_config_id")
    JOINING_SERVERS_FIELD_NUMBER: _ClassVar[int]
    LEAVING_SERVERS_FIELD_NUMBER: _ClassVar[int]
    NEW_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    CUR_CONFIG_ID_FIELD_NUMBER: _ClassVar[int]
    joining_servers: str
    leaving_servers: str
    new_members: str
    cur_config_id: int
    def __init__(self, joining_servers: _Optional[str] = ..., leaving_servers: _Optional[str] = ..., new_members: _Optional[str] = ..., cur_config_id: _Optional[int] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("code", "path", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    path: str
    message: str
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., path: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...
