"""Reading request bodies with a size limit, before anything else looks at them."""

from __future__ import annotations

from starlette.requests import Request

LIMIT = 64 * 1024  # callbacks are under 2 KB (callbacks.md §8)


class TooLarge(Exception):
    pass


async def limited_body(request: Request, limit: int = LIMIT) -> bytes:
    """The whole body, or TooLarge as soon as it passes `limit` (never buffered in full)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
