"""A model is a directory: ``model.joblib`` (one scikit-learn Pipeline), ``meta.json`` (what it
is, what it was trained on, how good it was, and the checksum of ``model.joblib``) and
``MODEL_CARD.md``.

``load_model`` checks the checksum *before* unpickling (a pickle runs code when it is loaded)
and compares the versions it was saved with against the ones installed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import warnings
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

from moderation.errors import ModerationError

MODEL_FILE = "model.joblib"
SCORER_FILE = "scorer.npz"      # moderation.linear.SCORER_FILE
META_FILE = "meta.json"
CARD_FILE = "MODEL_CARD.md"
ENV_MODEL = "MODERATION_MODEL"


class ModelLoadError(ModerationError):
    """A model directory that cannot be used; the message says how to get a usable one."""


class ModelVersionWarning(UserWarning):
    """The model was saved by other versions of the libraries it needs."""


REBUILD = ("rebuild it with `moderation train --recipe default -o DIR` "
           "(see README: Rebuilding the default model)")


class Model:
    """A loaded model: what ``meta.json`` says about it, and the means to score.

    Scores come from ``scorer.npz`` (plain arrays, no scikit-learn import) when the model has
    one; the scikit-learn pipeline (``model.pipeline``) is unpickled only when first used, after
    its checksum is checked again.
    """

    def __init__(self, path: Path, meta: dict[str, Any], scorer: Any = None,
                 warnings: list[str] | None = None, pipeline: Any = None):
        self.path = path
        self.meta = meta
        self.scorer = scorer
        self.warnings = warnings or []
        self._pipeline = pipeline

    def __repr__(self) -> str:
        return f"Model({self.id!r}, path={str(self.path)!r})"

    @property
    def id(self) -> str:
        return self.meta["model_id"]

    @property
    def labels(self) -> list[str]:
        return list(self.meta["labels"])

    @property
    def thresholds(self) -> dict[str, float]:
        return {label: t["threshold"] for label, t in self.meta["thresholds"].items()}

    @property
    def max_chars(self) -> int:
        return int(self.meta.get("config", {}).get("max_chars", 2000))

    @property
    def pipeline(self) -> Any:
        """The fitted scikit-learn Pipeline (normalise -> TF-IDF -> logistic regression)."""
        if self._pipeline is None:
            self._pipeline = _unpickle(self.path, self.meta)
        return self._pipeline

    def predict_proba(self, texts: list[str]) -> Any:
        """Probabilities, one row per text, columns in ``labels`` order."""
        if self.scorer is not None:
            return self.scorer.probabilities(texts)
        return self.pipeline.predict_proba(texts)

    def score(self, texts: Any, *, thresholds: dict[str, float] | None = None,
              explain: bool = False) -> list[dict[str, Any]]:
        """One record per text: ``{"text", "prediction", "scores", "flags", "model"}`` (and
        ``"explanation"`` with ``explain``), as ``moderation score --json`` prints them."""
        from moderation.scoring import score_texts

        return score_texts(self, [texts] if isinstance(texts, str) else list(texts),
                           thresholds=thresholds, explain=explain)

    def explain(self, text: str, *, top: int = 10) -> dict[str, Any]:
        """Why ``text`` got its scores: per label, the terms that pushed it up or down."""
        from moderation.scoring import explain_text

        return explain_text(self, text, top=top)


def versions() -> dict[str, str]:
    import joblib
    import numpy
    import sklearn

    from moderation import __version__

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__, "joblib": joblib.__version__, "moderation": __version__}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str | None:
    """The commit of the checkout this package runs from, if it is one."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("-dirty" if dirty else "")


def _check_model_destination(directory: Path, force: bool) -> None:
    """Refuse to replace a model without ``force``, and a folder that is not a model ever."""
    if directory.exists() and not force:
        raise ModerationError(f"{directory}: already exists; choose another -o or add --force "
                              "to replace it")
    if directory.exists() and not (directory / META_FILE).is_file() and any(directory.iterdir()):
        raise ModerationError(f"{directory}: is a folder that is not a model; refusing to "
                              "replace it, even with --force")


@contextlib.contextmanager
def atomic_directory(directory: Path) -> Iterator[Path]:
    """A temporary sibling of ``directory`` to fill; when the block completes it takes the
    directory's place (an old one is swapped out, then removed), so an interrupted write leaves
    the old directory (or none), never half of one."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            os.replace(directory, old)
            os.replace(staging, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def save_model(pipeline: Any, meta: dict[str, Any], card: str, directory: str | Path, *,
               force: bool = False) -> dict[str, Any]:
    """Write the model directory atomically: a temporary sibling is filled and renamed into
    place, so an interrupted run leaves the old model (or none), never half of one. Returns
    the meta as written (with the model's checksum, size and id)."""
    import joblib

    directory = Path(directory)
    _check_model_destination(directory, force)
    with atomic_directory(directory) as staging:
        joblib.dump(pipeline, staging / MODEL_FILE, compress=3)
        meta = dict(meta)
        scorer = _compile(pipeline, meta)
        if scorer is not None:
            scorer.save(staging / SCORER_FILE)
            meta["scorer_sha256"] = sha256_file(staging / SCORER_FILE)
        meta["model_sha256"] = sha256_file(staging / MODEL_FILE)
        meta["model_bytes"] = (staging / MODEL_FILE).stat().st_size
        meta.setdefault("model_id", f"{meta.get('name', directory.name)}-"
                                    f"{meta['model_sha256'][:12]}")
        (staging / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
        (staging / CARD_FILE).write_text(card.replace("{model_id}", meta["model_id"]),
                                         encoding="utf-8")
    return meta


def copy_model(source: Path, directory: str | Path, meta_updates: dict[str, Any], *,
               note: str, force: bool = False) -> dict[str, Any]:
    """A copy of the model directory ``source`` with ``meta_updates`` applied to its meta (e.g.
    new thresholds) and a new id; the model files are copied unchanged (their checksums still
    hold). ``note`` is added to the model card. Written atomically, like ``save_model``."""
    directory = Path(directory)
    if directory.resolve() == Path(source).resolve():
        raise ModerationError(f"{directory}: is the model being copied; write the copy "
                              "elsewhere")
    _check_model_destination(directory, force)
    source_meta = read_meta(Path(source))
    meta = {**source_meta, **meta_updates}
    digest = hashlib.sha256(json.dumps(meta_updates, sort_keys=True).encode()).hexdigest()
    meta["name"] = directory.name
    meta["model_id"] = f"{directory.name}-{meta['model_sha256'][:12]}-{digest[:6]}"
    meta["copied_from"] = {"model_id": source_meta["model_id"], "path": str(source),
                           "at": now_iso()}
    with atomic_directory(directory) as staging:
        for name in (MODEL_FILE, SCORER_FILE):
            if (Path(source) / name).is_file():
                shutil.copy2(Path(source) / name, staging / name)
        card_path = Path(source) / CARD_FILE
        card = card_path.read_text(encoding="utf-8") if card_path.is_file() else ""
        (staging / CARD_FILE).write_text(f"{card.rstrip()}\n\n## Changes in this copy\n\n"
                                         f"{note}\n", encoding="utf-8")
        (staging / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    return meta


def shipped_model_dir() -> Path:
    """The default model: ``models/default`` in a checkout, or the copy packaged in the
    wheel."""
    checkout = Path(__file__).resolve().parents[1] / "models" / "default"
    if (checkout / META_FILE).is_file():
        return checkout
    return Path(str(resources.files("moderation") / "_models" / "default"))


def resolve_model_dir(path: str | Path | None = None) -> Path:
    """``path``, else ``$MODERATION_MODEL``, else the model promoted with `moderation models
    promote`, else the shipped default model."""
    from moderation.model_versions import active_model_dir

    if path:
        return Path(path)
    if os.environ.get(ENV_MODEL):
        return Path(os.environ[ENV_MODEL])
    return active_model_dir() or shipped_model_dir()


def read_meta(directory: Path) -> dict[str, Any]:
    meta_path = directory / META_FILE
    if not directory.exists():
        raise ModelLoadError(f"{directory}: no such model directory; give --model DIR or "
                             f"{REBUILD}")
    if not directory.is_dir() or not meta_path.is_file():
        raise ModelLoadError(f"{directory}: not a model directory (no {META_FILE}); a model "
                             f"is a folder made by `moderation train`")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelLoadError(f"{meta_path}: not valid JSON ({err}); {REBUILD}") from None
    missing = [key for key in ("model_sha256", "labels", "thresholds", "versions")
               if key not in meta]
    if missing:
        raise ModelLoadError(f"{meta_path}: missing {', '.join(missing)}; {REBUILD}")
    return meta


def _compile(pipeline: Any, meta: dict[str, Any]) -> Any:
    from moderation.linear import LinearScorer

    return LinearScorer.from_pipeline(pipeline, list(meta["labels"]),
                                      int(meta.get("config", {}).get("max_chars", 2000)))


def _check_file(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ModelLoadError(f"{path}: missing; {REBUILD}")
    if sha256_file(path) != expected:
        raise ModelLoadError(f"{path}: checksum does not match {META_FILE} (the file is "
                             f"corrupt or was changed); refusing to load it; {REBUILD}")


def _installed_version(package: str) -> str:
    """A package's version without importing it (importing scikit-learn costs a second)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _unpickle(directory: Path, meta: dict[str, Any]) -> Any:
    model_path = directory / MODEL_FILE
    _check_file(model_path, meta["model_sha256"])     # again: it may have changed since
    import joblib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # sklearn's own version warning: reported at load
            return joblib.load(model_path)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means the same to a user
        raise ModelLoadError(
            f"{model_path}: cannot be loaded with scikit-learn "
            f"{_installed_version('scikit-learn')} (saved with "
            f"{meta['versions'].get('scikit-learn', 'unknown')}): {type(err).__name__}: {err}; "
            f"retrain it with this version: {REBUILD}") from None


def load_model(path: str | Path | None = None, *, pipeline: bool = False) -> Model:
    """Load a model directory. Every file's checksum is checked against ``meta.json`` before
    anything is read from it, so a changed ``model.joblib`` is refused before it is unpickled.
    The pipeline is unpickled now with ``pipeline=True``, else when first used (scoring uses
    ``scorer.npz`` where the model has one)."""
    directory = resolve_model_dir(path)
    meta = read_meta(directory)
    _check_file(directory / MODEL_FILE, meta["model_sha256"])
    scorer = None
    if meta.get("scorer_sha256"):
        _check_file(directory / SCORER_FILE, meta["scorer_sha256"])
        from moderation.linear import LinearScorer

        try:
            scorer = LinearScorer.load(directory / SCORER_FILE)
        except (OSError, ValueError, KeyError) as err:
            raise ModelLoadError(f"{directory / SCORER_FILE}: cannot be read ({err}); "
                                 f"{REBUILD}") from None
    notes = []
    for package in ("scikit-learn", "numpy"):
        saved, installed = meta["versions"].get(package), _installed_version(package)
        if saved and saved.split(".")[:2] != installed.split(".")[:2]:
            notes.append(f"{directory}: saved with {package} {saved}, running {package} "
                         f"{installed}; scores may differ slightly")
    model = Model(path=directory, meta=meta, scorer=scorer, warnings=notes)
    if pipeline or scorer is None:
        model.pipeline          # noqa: B018 - unpickle now, so a bad pickle fails at load
    for note in notes:
        warnings.warn(note, ModelVersionWarning, stacklevel=2)
    return model


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
