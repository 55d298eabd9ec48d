"""The models a running server scores with, swapped for the active ones without a restart.

After `moderation models promote`, the active-model record of a language changes; a watcher
thread sees that within a second, loads the models of every language beside the old ones and
swaps them in one assignment, so a request in flight finishes on the models it started with
and the next one gets the new ones. A model that fails to load is reported and the old models
keep serving. SIGHUP reloads at once.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from moderation.errors import ModerationError
from moderation.model.multilingual import LanguageModels, load_models
from moderation.model.registry import ACTIVE_FILE, language_model_dirs
from moderation.model.trust import home_dir

log = logging.getLogger("moderation.serve")


class LiveModel:
    """``.model`` is the models to score with, one per language (``LanguageModels``);
    ``explicit`` (a ``--model`` directory or ``$MODERATION_MODEL``) pins the model of the
    language it reads, and every language's active model is followed."""

    def __init__(self, explicit: str | Path | None = None, *, check_every: float = 1.0):
        self.explicit = explicit or os.environ.get("MODERATION_MODEL") or None
        self.check_every = check_every
        self.model: LanguageModels = load_models(self.explicit)
        self.directories = language_model_dirs(self.explicit)
        self.error: str | None = None
        self.reloads = 0
        self._seen = self._active_stamp()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def directory(self) -> Path:
        """The directory of the main language's model."""
        return self.directories[self.model.main]

    def _active_stamp(self) -> tuple[tuple[str, int, int], ...]:
        """What the active-model records look like now (every language's)."""
        home = home_dir()
        stem = ACTIVE_FILE.removesuffix(".json")
        stamps = []
        for path in sorted([home / ACTIVE_FILE, *home.glob(f"{stem}-*.json")]):
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.append((path.name, stat.st_mtime_ns, stat.st_ino))
        return tuple(stamps)

    def start(self) -> None:
        if self._thread is None:
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
        """Load the models the server should use now and swap them in; False (and the old
        models kept) when one cannot be loaded."""
        with self._lock:
            try:
                directories = language_model_dirs(self.explicit)
                models = load_models(self.explicit)
            except (ModerationError, OSError) as err:
                self.error = f"could not load the new models, still serving {self._ids()}: {err}"
                log.error(self.error)
                return False
            before = self._ids()
            self.model, self.directories, self.error = models, directories, None
            if self._ids() != before:
                self.reloads += 1
                log.warning("now serving %s", self._ids())
            return True

    def _ids(self) -> str:
        return ", ".join(f"{code}: {m.id}" for code, m in self.model.models.items())
