"""Paged and filtered getChildren (a Paddock extension): pages sorted by name, each continuing
after the last name of the page before, so a listing stays exact while children come and go."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._pb import data_pb2 as pb
from .types import ZnodeStat

if TYPE_CHECKING:
    from .client import Client


@dataclass(frozen=True, slots=True)
class ChildrenPage:
    """One page: names sorted by name (UTF-16 code units, as the server compares them)."""

    children: list[str]
    stat: ZnodeStat
    next_page_token: str | None
    """Pass it as ``page_token`` for the next page; None on the last page."""


def page_request(
    path: str,
    *,
    page_size: int = 0,
    page_token: str | None = None,
    prefix: str | None = None,
    count_only: bool = False,
    linearizable: bool = False,
) -> pb.GetChildrenRequest:
    """The GetChildrenRequest for a page (or a count). Range checks are the server's: it answers
    BadArgumentsError naming the page size or token and the limit."""
    req = pb.GetChildrenRequest(path=path, consistency=int(linearizable))
    if count_only:
        req.count_only = True
    else:
        req.page_size = page_size  # set, even 0 (the server's limit): it asks for the paged form
    if page_token:
        req.page_token = page_token
    if prefix:
        req.name_prefix = prefix
    return req


class SyncChildrenPages:
    """The blocking client's paged reads (mixed into ``paddock.Client``)."""

    def get_children_page(
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
        ``prefix``."""
        return self._run(
            self.aio.get_children_page(
                path, page_size, page_token, prefix=prefix, linearizable=linearizable
            )
        )

    def list_children(
        self: Client,
        path: str,
        page_size: int = 0,
        *,
        page_token: str | None = None,
        prefix: str | None = None,
    ) -> Iterator[str]:
        """Every child name in order, fetched a page at a time as the iteration goes (starting
        after ``page_token`` when given)::

        for name in client.list_children("/jobs", 500, prefix="job-"): ...
        """
        token = page_token
        while True:
            page = self.get_children_page(path, page_size, token, prefix=prefix)
            yield from page.children
            token = page.next_page_token
            if token is None:
                return

    def count_children(self: Client, path: str, prefix: str | None = None) -> int:
        """How many direct children (whose name starts with ``prefix``), without their names."""
        return self._run(self.aio.count_children(path, prefix))


__all__ = ["ChildrenPage", "SyncChildrenPages", "page_request"]
