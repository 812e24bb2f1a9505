"""OAuth access tokens: cached until shortly before expiry, one refresh shared by all callers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pos_app.domain.errors import Text
from pos_app.platform.secret import Secret
from pos_app.providers.answers import Rule
from pos_app.providers.base import MalformedResponse, ProviderUnavailable
from pos_app.providers.http import Reply, settings_refused


@dataclass(frozen=True)
class Token:
    value: Secret
    expires_in: float  # seconds, as the provider said


class TokenCache:
    """`get()` returns a valid token, fetching one only when none is fresh; concurrent callers
    wait for the same fetch instead of each asking the provider (no thundering herd)."""

    # MTN advises refreshing 10 minutes before expiry; a short-lived token refreshes at 5/6 of
    # its life so it is still used more than once.
    MAX_MARGIN = 600.0

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Token]],
        clock: Callable[[], float] = time.monotonic,
        *,
        reuse: bool = True,
    ) -> None:
        self._fetch = fetch
        self._reuse = reuse  # False: a new token for every call (what naive clients do)
        self._clock = clock
        self._token: Secret | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many tokens were requested, for tests and benchmarks

    def _fresh(self) -> Secret | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def get(self) -> Secret:
        if not self._reuse:
            self.fetches += 1
            return (await self._fetch()).value
        token = self._fresh()
        if token is not None:
            return token
        async with self._lock:
            token = self._fresh()  # another caller refreshed while we waited
            if token is not None:
                return token
            fetched = await self._fetch()
            self.fetches += 1
            margin = min(self.MAX_MARGIN, fetched.expires_in / 6)
            self._token = fetched.value
            self._refresh_at = self._clock() + max(0.0, fetched.expires_in - margin)
            return fetched.value

    async def for_request(self) -> Secret:
        """A token for a request about to be sent: failing to get one proves that request
        never left, whatever the token call itself may have done."""
        try:
            return await self.get()
        except (ProviderUnavailable, MalformedResponse) as exc:
            raise ProviderUnavailable(
                exc.args[0] if exc.args else str(exc), delivered=False
            ) from exc

    def invalidate(self, token: Secret) -> None:
        """Forget `token` after the provider refused it (unless it was already replaced)."""
        if self._token == token:
            self._token = None


async def with_fresh_token(
    tokens: TokenCache,
    send: Callable[[Secret], Awaitable[Reply]],
    refused: Rule,
    refused_again: Text,
) -> Reply:
    """`send(token)`. A token the provider refuses (its `refused` row: the request was not
    processed) is renewed once and the request sent again unchanged; a fresh one refused too
    means the settings are wrong."""
    token = await tokens.for_request()
    reply = await send(token)
    if reply.rule is not refused:
        return reply
    tokens.invalidate(token)
    reply = await send(await tokens.for_request())
    if reply.rule is refused:
        raise settings_refused(refused_again, reply.maybe_delivered)
    return reply
