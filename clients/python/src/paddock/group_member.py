"""Group membership in Curator's GroupMember layout, shared by every Paddock client: each member
is ``<path>/<id>`` (ephemeral, data = its payload); the group is the children of ``<path>``."""

from __future__ import annotations

import contextlib

from . import errors
from .client import Client, Watcher
from .session_events import EventListener, SessionFollower
from .types import CreateMode


class GroupMember:
    """``GroupMember(client, "/groups/workers", "w1", b"host:port").join()``; ``members()``
    reads the live view (id -> payload); ``leave()`` (or the session's end) removes the member.
    Listeners added with ``add_listener`` hear SUSPENDED, RECONNECTED and LOST while joined."""

    def __init__(self, client: Client, path: str, member_id: str, payload: bytes = b"") -> None:
        if not member_id or "/" in member_id:
            raise ValueError(f"member id {member_id!r} of {path} must be a non-empty node name")
        self.client = client
        self.path = path.rstrip("/")
        self.id = member_id
        self.payload = payload
        self.fencing_token = 0  # the czxid of our node once joined
        self._session = SessionFollower(client)

    def add_listener(self, listener: EventListener) -> None:
        """``listener(ConnectionEvent)`` runs on the events thread while joined."""
        self._session.add_listener(listener)

    def join(self) -> None:
        self.client.ensure_path(self.path)
        node = f"{self.path}/{self.id}"
        try:
            self.client.create(node, self.payload, mode=CreateMode.EPHEMERAL)
        except errors.NodeExistsError as e:
            raise errors.NodeExistsError(f"member {self.id} already in {self.path}", node) from e
        stat = self.client.exists(node)
        self.fencing_token = stat.czxid if stat is not None else 0
        self._session.start()

    def leave(self) -> None:
        self._session.stop()
        if self._session.lost:
            return  # the node went with the session
        with contextlib.suppress(errors.NoNodeError):
            self.client.delete(f"{self.path}/{self.id}")

    def members(self, watch: Watcher | None = None) -> dict[str, bytes]:
        """The group's view; ``watch`` fires on the next join or leave."""
        view = {}
        for member_id in self.client.get_children(self.path, watch):
            try:
                view[member_id], _ = self.client.get_data(f"{self.path}/{member_id}")
            except errors.NoNodeError:
                continue  # left between the listing and the read
        return view


__all__ = ["GroupMember"]
