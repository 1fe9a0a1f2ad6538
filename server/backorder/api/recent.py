"""Public answers this process gave in the last few seconds, so a repeat (or its 304) skips the database."""

import threading
import time
from typing import NamedTuple

from ..services.stores import still_fresh


class Recent(NamedTuple):
    expires: float  # time.monotonic()
    store_id: int
    generation: int  # store_generation when the answer was computed
    etag: str
    body: bytes
    max_age: int
    viewed: tuple  # the items whose views count (services/views.py), again on each repeat


class RecentAnswers:
    """(path, query string) -> the answer given, for `seconds` (0: never kept), at most `size` of them.

    An answer is reused only while no commit of this process has changed its store since it was
    computed (stores.still_fresh; services/changes.py counts the changes); changes other processes commit reach
    this one within `seconds`, as settings do through the store cache (STORE_CACHE_SECONDS).
    """

    def __init__(self, seconds, size=10_000):
        self.seconds, self.size = seconds, size
        self._entries = {}
        self._lock = threading.Lock()

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None:
            return None
        if not still_fresh(entry.expires, entry.store_id, entry.generation):
            self._entries.pop(key, None)
            return None
        return entry

    def put(self, key, store_id, generation, etag, body, max_age, viewed):
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.size:  # the oldest goes (dicts keep insertion order)
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = Recent(time.monotonic() + self.seconds, store_id, generation, etag, body,
                                        max_age, tuple(viewed))
