"""The model a running server scores with, swapped for the active one without a restart.

After `moderation models promote`, the active-model record changes; a watcher thread sees that
within a second, loads the new model beside the old one and swaps them in one assignment, so a
request in flight finishes on the model it started with and the next one gets the new one. A
model that fails to load is reported and the old one keeps serving. SIGHUP reloads at once.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from moderation.errors import ModerationError
from moderation.model.registry import ACTIVE_FILE, home_dir, load_model, resolve_model_dir

log = logging.getLogger("moderation.serve")


class LiveModel:
    """``.model`` is the model to score with; ``explicit`` (a ``--model`` directory or
    ``$MODERATION_MODEL``) pins it, otherwise the active model is followed."""

    def __init__(self, explicit: str | Path | None = None, *, check_every: float = 1.0):
        self.explicit = explicit or os.environ.get("MODERATION_MODEL") or None
        self.check_every = check_every
        self.model: Any = load_model(self.explicit)
        self.directory = resolve_model_dir(self.explicit)
        self.error: str | None = None
        self.reloads = 0
        self._seen = self._active_stamp()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def _active_stamp(self) -> tuple[int, int] | None:
        try:
            stat = (home_dir() / ACTIVE_FILE).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_ino

    def start(self) -> None:
        if self.explicit is None and self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="model-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(self.check_every):
            stamp = self._active_stamp()
            if stamp != self._seen:
                self._seen = stamp
                self.reload()

    def reload(self) -> bool:
        """Load the model the server should use now and swap it in; False (and the old model
        kept) when it cannot be loaded."""
        with self._lock:
            try:
                directory = resolve_model_dir(self.explicit)
                model = load_model(directory)
            except (ModerationError, OSError) as err:
                self.error = f"could not load the new model, still serving {self.model.id}: {err}"
                log.error(self.error)
                return False
            changed = model.id != self.model.id
            self.model, self.directory, self.error = model, directory, None
            if changed:
                self.reloads += 1
                log.warning("now serving %s from %s", model.id, directory)
            return True
