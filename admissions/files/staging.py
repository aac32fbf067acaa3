"""Keeping an uploaded import file on the server between its preview and its confirmation.

The file is kept in the cache, for a limited time, under a random token that only the session
knows: never in a URL, never in the cookie, never in a log. The entry is bound to its owner (the
user and region that uploaded it, and whatever else the page names); a session whose owner does
not match finds nothing. Used by the import pages of admissions and industriradet.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class StagedUpload:
    session_key: str
    cache_prefix: str
    seconds: int = 30 * 60

    def _cache_key(self, token: str) -> str:
        return f"{self.cache_prefix}:{token}"

    def store(self, request, *, owner: dict, **data) -> None:
        """Keeps `data` (the file's content and what goes with it) for `owner`, replacing what
        this session kept before."""
        self.discard(request)
        token = secrets.token_urlsafe(32)
        cache.set(self._cache_key(token), {**owner, **data}, self.seconds)
        request.session[self.session_key] = token

    def load(self, request, *, owner: dict) -> dict | None:
        """What this session kept, if it is still there and belongs to `owner`; else None."""
        token = request.session.get(self.session_key)
        if not token:
            return None
        pending = cache.get(self._cache_key(token))
        if not pending or any(pending.get(key) != value for key, value in owner.items()):
            return None
        return pending

    def discard(self, request) -> None:
        token = request.session.pop(self.session_key, None)
        if token:
            cache.delete(self._cache_key(token))
