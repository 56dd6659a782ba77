from . import data_pb2 as _data_pb2
from . import session_pb2 as _session_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WatchCancelReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCH_CANCEL_REASON_UNSPECIFIED: _ClassVar[WatchCancelReason]
    WATCH_CANCEL_REASON_COMPACTED: _ClassVar[WatchCancelReason]
    WATCH_CANCEL_REASON_SLOW_CONSUMER: _ClassVar[WatchCancelReason]
    WATCH_CANCEL_REASON_MEMBER_UNAVAILABLE: _ClassVar[WatchCancelReason]
WATCH_CANCEL_REASON_UNSPECIFIED: WatchCancelReason
WATCH_CANCEL_REASON_COMPACTED: WatchCancelReason
WATCH_CANCEL_REASON_SLOW_CONSUMER: WatchCancelReason
WATCH_CANCEL_REASON_MEMBER_UNAVAILABLE: WatchCancelReason

class WatchStreamRequest(_message.Message):
    __slots__ = ("path", "recursive", "from_zxid", "with_data", "children_events", "progress_interval_ms", "with_prev_data", "event_types", "fragment")
    PATH_FIELD_NUMBER: _ClassVar[int]
    RECURSIVE_FIELD_NUMBER: _ClassVar[int]
    FROM_ZXID_FIELD_NUMBER: _ClassVar[int]
    WITH_DATA_FIELD_NUMBER: _ClassVar[int]
    CHILDREN_EVENTS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    WITH_PREV_DATA_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    FRAGMENT_FIELD_NUMBER: _ClassVar[int]
    path: str
    recursive: bool
    from_zxid: int
    with_data: bool
    children_events: bool
    progress_interval_ms: int
    with_prev_data: bool
    event_types: _containers.RepeatedScalarFieldContainer[_session_pb2.EventType]
    fragment: bool
    def __init__(self, path: _Optional[str] = ..., recursive: _Optional[bool] = ..., from_zxid: _Optional[int] = ..., with_data: _Optional[bool] = ..., children_events: _Optional[bool] = ..., progress_interval_ms: _Optional[int] = ..., with_prev_data: _Optional[bool] = ..., event_types: _Optional[_Iterable[_Union[_session_pb2.EventType, str]]] = ..., fragment: _Optional[bool] = ...) -> None: ...

class WatchChange(_message.Message):
    __slots__ = ("type", "path", "data", "stat", "data_null", "prev_data", "prev_stat", "prev_data_null")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STAT_FIELD_NUMBER: _ClassVar[int]
    DATA_NULL_FIELD_NUMBER: _ClassVar[int]
    PREV_DATA_FIELD_NUMBER: _ClassVar[int]
    PREV_STAT_FIELD_NUMBER: _ClassVar[int]
    PREV_DATA_NULL_FIELD_NUMBER: _ClassVar[int]
    type: _session_pb2.EventType
    path: str
    data: bytes
    stat: _data_pb2.Stat
    data_null: bool
    prev_data: bytes
    prev_stat: _data_pb2.Stat
    prev_data_null: bool
    def __init__(self, type: _Optional[_Union[_session_pb2.EventType, str]] = ..., path: _Optional[str] = ..., data: _Optional[bytes] = ..., stat: _Optional[_Union[_data_pb2.Stat, _Mapping]] = ..., data_null: _Optional[bool] = ..., prev_data: _Optional[bytes] = ..., prev_stat: _Optional[_Union[_data_pb2.Stat, _Mapping]] = ..., prev_data_null: _Optional[bool] = ...) -> None: ...

class WatchChanges(_message.Message):
    __slots__ = ("zxid", "changes", "fragment")
    ZXID_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    FRAGMENT_FIELD_NUMBER: _ClassVar[int]
    zxid: int
    changes: _containers.RepeatedCompositeFieldContainer[WatchChange]
    fragment: bool
    def __init__(self, zxid: _Optional[int] = ..., changes: _Optional[_Iterable[_Union[WatchChange, _Mapping]]] = ..., fragment: _Optional[bool] = ...) -> None: ...

class WatchProgress(_message.Message):
    __slots__ = ("zxid",)
    ZXID_FIELD_NUMBER: _ClassVar[int]
    zxid: int
    def __init__(self, zxid: _Optional[int] = ...) -> None: ...

class WatchCanceled(_message.Message):
    __slots__ = ("reason", "last_zxid", "oldest_zxid", "message")
    REASON_FIELD_NUMBER: _ClassVar[int]
    LAST_ZXID_FIELD_NUMBER: _ClassVar[int]
    OLDEST_ZXID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    reason: WatchCancelReason
    last_zxid: int
    oldest_zxid: int
    message: str
    def __init__(self, reason: _Optional[_Union[WatchCancelReason, str]] = ..., last_zxid: _Optional[int] = ..., oldest_zxid: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class WatchStreamResponse(_message.Message):
    __slots__ = ("changes", "progress", "canceled")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    CANCELED_FIELD_NUMBER: _ClassVar[int]
    changes: WatchChanges
    progress: WatchProgress
    canceled: WatchCanceled
    def __init__(self, changes: _Optional[_Union[WatchChanges, _Mapping]] = ..., progress: _Optional[_Union[WatchProgress, _Mapping]] = ..., canceled: _Optional[_Union[WatchCanceled, _Mapping]] = ...) -> None: ...
