"""The asyncio client's paged and filtered getChildren (see ``paddock.children_pages``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .. import _codec, errors
from .._pb import session_pb2 as spb
from ..children_pages import ChildrenPage, page_request

if TYPE_CHECKING:
    from ._client import Client


def _raise_if_error(reply: spb.Reply) -> None:
    if reply.HasField("error") and reply.error.code != 0:
        raise errors.error_for(int(reply.error.code), reply.error.path, reply.error.message)


class ChildrenPages:
    """Mixed into ``paddock.aio.Client``."""

    async def get_children_page(
        self: Client,
        path: str,
        page_size: int = 0,
        page_token: str | None = None,
        *,
        prefix: str | None = None,
        linearizable: bool = False,
    ) -> ChildrenPage:
        """One page of at most ``page_size`` child names (0: the server's limit), sorted, after
        ``page_token`` (a previous page's ``next_page_token``), only names starting with
        ``prefix``. A bad size or token raises BadArgumentsError naming it."""

        def convert(r: spb.Reply) -> ChildrenPage:
            _raise_if_error(r)
            g = r.get_children
            token = g.next_page_token if g.HasField("next_page_token") else ""
            return ChildrenPage(list(g.children), _codec.stat_from_pb(g.stat), token or None)

        req = page_request(
            path,
            page_size=page_size,
            page_token=page_token,
            prefix=prefix,
            linearizable=linearizable,
        )
        return await self._submit(path, convert, get_children=req)

    async def list_children(
        self: Client,
        path: str,
        page_size: int = 0,
        *,
        page_token: str | None = None,
        prefix: str | None = None,
    ) -> AsyncIterator[str]:
        """Every child name in order, a page at a time (after ``page_token`` when given)::

        async for name in client.list_children("/jobs", 500, prefix="job-"): ...
        """
        token = page_token
        while True:
            page = await self.get_children_page(path, page_size, token, prefix=prefix)
            for name in page.children:
                yield name
            token = page.next_page_token
            if token is None:
                return

    async def count_children(self: Client, path: str, prefix: str | None = None) -> int:
        """How many direct children (whose name starts with ``prefix``), without their names."""

        def convert(r: spb.Reply) -> int:
            _raise_if_error(r)
            return r.get_children.count

        req = page_request(path, count_only=True, prefix=prefix)
        return await self._submit(path, convert, get_children=req)
