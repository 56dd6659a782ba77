"""The asyncio client's compare-transactions (see ``paddock.txn``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..ops import Op
from ..txn import Compare, TxnResult, txn_request, txn_result

if TYPE_CHECKING:
    from ._client import Client


class Txn:
    """Mixed into ``paddock.aio.Client``."""

    async def txn(
        self: Client,
        compare: Sequence[Compare],
        then: Sequence[Op] = (),
        otherwise: Sequence[Op] = (),
    ) -> TxnResult:
        """When every condition in ``compare`` holds, applies ``then``, else ``otherwise``, each
        as one atomic multi; returns which branch ran and one result per op of it. A failing op
        applies nothing and raises its error with ``results`` and ``succeeded`` attached; a
        refused condition (NoAuthError, BadArgumentsError) raises without them."""
        req = txn_request(compare, then, otherwise)
        return await self._submit("", txn_result, txn=req)
