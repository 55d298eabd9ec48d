"""A model is a directory: ``model.joblib`` (one scikit-learn Pipeline), ``scorer.npz`` (the
same model as plain arrays, for word-unigram models), ``meta.json`` (:class:`ModelMeta`),
``MODEL_CARD.md`` and ``training.npz`` (fingerprints of the training ids and texts, for the
overlap checks of ``evaluate``: ``moderation.model.overlap``).

``load_model_dir`` checks every file's checksum against ``meta.json`` *before* reading it (a
pickle runs code when it is loaded) and compares the versions it was saved with against the
ones installed. Saving is atomic: a model directory appears whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import subprocess
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moderation.errors import ModelLoadError, ModelVersionWarning, ModerationError
from moderation.files import (
    atomic_directory,
    check_replaceable_directory,
    now_iso,
    sha256_file,
)
from moderation.model.audit import summary as audit_summary
from moderation.model.heads import HEADS_FILE, AttributeHeads, load_heads
from moderation.model.meta import META_FILE, REBUILD, ModelMeta
from moderation.model.overlap import FINGERPRINTS_FILE, TrainingFingerprints
from moderation.model.scorer import (
    SCORER_FILE,
    LinearScorer,
    TermWeights,
    label_weights,
    pipeline_term_weights,
)
from moderation.model.scoring import ScoreRecord, explain_text, score_texts
from moderation.model.trust import check_trusted, record_trusted

if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "model.joblib"
CARD_FILE = "MODEL_CARD.md"
# all a model directory holds
MODEL_FILES = (MODEL_FILE, SCORER_FILE, META_FILE, CARD_FILE, FINGERPRINTS_FILE, HEADS_FILE)


class Model:
    """A loaded model: what ``meta.json`` says about it, and the means to score.

    Scores come from ``scorer.npz`` (plain arrays, no scikit-learn import) when the model has
    one; the scikit-learn pipeline (``model.pipeline``) is unpickled only when first used, after
    its checksum is checked again.
    """

    def __init__(
        self,
        path: Path,
        meta: ModelMeta,
        scorer: LinearScorer | None = None,
        warnings: list[str] | None = None,
        pipeline: Any = None,
        heads: AttributeHeads | None = None,
    ):
        self.path = path
        self.meta = meta
        self.scorer = scorer
        self.warnings = warnings or []
        self._pipeline = pipeline
        self.heads = heads  # the attribute heads (moderation.model.heads), if it has them

    def __repr__(self) -> str:
        return f"Model({self.id!r}, path={str(self.path)!r})"

    @property
    def id(self) -> str:
        return self.meta.model_id

    @property
    def labels(self) -> list[str]:
        return list(self.meta.labels)

    @property
    def language(self) -> str:
        """The language the model reads (ISO 639-1)."""
        return self.meta.language

    @property
    def thresholds(self) -> dict[str, float]:
        return self.meta.flag_thresholds

    @property
    def max_chars(self) -> int:
        return self.meta.max_chars

    @property
    def pipeline(self) -> Any:
        """The fitted scikit-learn Pipeline (normalise -> TF-IDF -> logistic regression)."""
        if self._pipeline is None:
            why = (
                "this needs the scikit-learn pipeline (a pickle)"
                if self.scorer is not None
                else f"this model has no {SCORER_FILE} (plain arrays) and is scored from its pickle"
            )
            self._pipeline = _unpickle(self.path, self.meta, why)
        return self._pipeline

    def rebuilt_pipeline(self) -> Any:
        """A fitted pipeline to retrain from: rebuilt from the arrays when the model has them
        (no pickle is loaded, so any model will do) and it scores exactly as the arrays do;
        else the pickle, which only a trusted model may load (``pipeline``)."""
        if self.scorer is not None:
            from moderation.model.pipeline import PipelineConfig, pipeline_from_arrays

            try:
                config = PipelineConfig.from_dict(self.meta.config, origin=str(self.path))
                rebuilt = pipeline_from_arrays(self.scorer, config, self.meta.C)
            except (ModerationError, TypeError, ValueError):
                rebuilt = None
            if rebuilt is not None and _scores_alike(rebuilt, self.scorer):
                return rebuilt
        return self.pipeline

    @property
    def bias(self) -> np.ndarray:
        """The intercepts, one per label in ``labels`` order: the log-odds of a text with no
        known word."""
        if self.scorer is not None:
            return self.scorer.intercept
        return label_weights(self.pipeline.named_steps["classifier"])[1]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probabilities, one row per text, columns in ``labels`` order."""
        if self.scorer is not None:
            return self.scorer.probabilities(texts)
        probabilities: np.ndarray = self.pipeline.predict_proba(texts)  # sklearn: untyped
        return probabilities

    def attribute_probabilities(self, texts: list[str]) -> np.ndarray:
        """The attribute heads' probabilities, one row per text, columns in
        ``heads.names`` order (no columns for a model without heads)."""
        import numpy as np

        if self.heads is None:
            return np.zeros((len(texts), 0))
        if self.scorer is not None:
            doc, ids, values = self.scorer.feature_values(texts)
            return self.heads.probabilities_of_terms(doc, ids, values, len(texts))
        return self.heads.probabilities_of_matrix(self.pipeline[:-1].transform(texts))

    def scores_of_one(self, text: str) -> tuple[dict[str, float], dict[str, float]]:
        """One text's label probabilities and attribute probabilities, its features worked
        out once (a live request)."""
        if self.scorer is not None:
            values = self.scorer.feature_values_of_one(text)
            labels = self.scorer.probabilities_of_values(values)
            heads = self.heads.probabilities_of_values(values) if self.heads is not None else []
        else:
            labels = self.predict_proba([text])[0].tolist()
            heads = self.attribute_probabilities([text])[0].tolist()
        names = self.heads.names if self.heads is not None else []
        return dict(zip(self.labels, labels)), dict(zip(names, heads))

    def term_weights(
        self, text: str, *, spans_in: str | None = None, skip: Sequence[tuple[int, int]] = ()
    ) -> TermWeights:
        """The exact decomposition of ``text``'s scores into per-term contributions; with
        ``spans_in``, where each term occurs in that text (leaving out the ``skip`` spans)."""
        if self.scorer is None:
            return pipeline_term_weights(self.pipeline, text, spans_in)
        weights = self.scorer.term_weights(text)
        if spans_in is not None:
            where = self.scorer.term_spans(spans_in, list(skip))
            weights.spans = [where.get(term_id, []) for term_id in weights.ids.tolist()]
        return weights

    def score(
        self,
        texts: str | Iterable[str],
        *,
        thresholds: dict[str, float] | None = None,
        explain: bool = False,
    ) -> list[ScoreRecord]:
        """One record per text: ``{"text", "prediction", "scores", "flags", "model"}`` (and
        ``"explanation"`` with ``explain``), as ``moderation score --json`` prints them."""
        return score_texts(
            self,
            [texts] if isinstance(texts, str) else list(texts),
            thresholds=thresholds,
            explain=explain,
        )

    def explain(self, text: str, *, top: int = 10) -> dict[str, Any]:
        """Why ``text`` got its scores: per label, the terms that pushed it up or down."""
        return explain_text(self, text, top=top)


def _scores_alike(pipeline: Any, scorer: LinearScorer) -> bool:
    """Whether ``pipeline`` gives the arrays' probabilities on probe texts made of the model's
    own terms (every hundredth, in a few shifts) and a few sentences."""
    import numpy as np

    terms = scorer.terms
    probes = [" ".join(terms[shift::97][:60]) for shift in range(0, 97, 13)]
    probes += ["You are a pathetic idiot.", "thanks, not bad at all", "", "x" * 3000]
    try:
        found = pipeline.predict_proba(probes)
    except Exception:  # noqa: BLE001 - a rebuild that cannot score is simply not used
        return False
    return bool(np.allclose(found, scorer.probabilities(probes), atol=1e-6, rtol=0))


def versions() -> dict[str, str]:
    import joblib
    import numpy
    import sklearn

    from moderation import __version__

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "joblib": joblib.__version__,
        "moderation": __version__,
    }


def git_commit() -> str | None:
    """The commit of the checkout this package runs from, if it is one."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() + ("-dirty" if dirty else "")


def check_model_destination(directory: Path, force: bool) -> None:
    """Refuse, before any work, to replace a model without ``force``, and ever to replace a
    folder that holds anything but a model's files (or an unwritable place)."""
    if directory.exists() and not force:
        raise ModerationError(
            f"{directory}: already exists; choose another -o or add --force to replace it"
        )
    check_replaceable_directory(directory, MODEL_FILES)


def save_model(
    pipeline: Any,
    meta: ModelMeta,
    card: str,
    directory: str | Path,
    *,
    force: bool = False,
    fingerprints: TrainingFingerprints | None = None,
    heads: AttributeHeads | None = None,
) -> ModelMeta:
    """Write the model directory atomically. ``meta`` gets the model's checksums, size and
    (unless it has one) its id; returns it as written. ``fingerprints`` (of the training
    data) are written beside the model for the overlap checks of ``evaluate``; ``heads``
    (the attribute heads, described in ``meta.heads``) as ``heads.npz``."""
    import joblib

    directory = Path(directory)
    check_model_destination(directory, force)
    with atomic_directory(directory, MODEL_FILES) as staging:
        if fingerprints is not None:
            meta.training_data = {
                **meta.training_data,
                "fingerprints": fingerprints.save(staging / FINGERPRINTS_FILE),
            }
        if heads is not None and meta.heads is not None:
            heads.save(staging / HEADS_FILE)
            meta.heads = {**meta.heads, "sha256": sha256_file(staging / HEADS_FILE)}
        joblib.dump(pipeline, staging / MODEL_FILE, compress=3)
        scorer = LinearScorer.from_pipeline(pipeline, list(meta.labels), meta.max_chars)
        if scorer is not None:
            scorer.save(staging / SCORER_FILE)
            meta.scorer_sha256 = sha256_file(staging / SCORER_FILE)
        meta.model_sha256 = sha256_file(staging / MODEL_FILE)
        meta.model_bytes = (staging / MODEL_FILE).stat().st_size
        if not meta.model_id:
            meta.model_id = f"{meta.name or directory.name}-{meta.model_sha256[:12]}"
        meta.write(staging)
        (staging / CARD_FILE).write_text(
            card.replace("{model_id}", meta.model_id), encoding="utf-8"
        )
    try:
        record_trusted(directory, meta.model_sha256)
    except (OSError, ModerationError) as err:  # the model is written; only its trust is not
        warnings.warn(
            f"{directory}: written, but not recorded as made here ({err}); retraining from "
            "it will need --trust-model",
            stacklevel=2,
        )
    return meta


def copy_model(
    source: Path,
    directory: str | Path,
    *,
    thresholds: dict[str, Any],
    note: str,
    force: bool = False,
) -> ModelMeta:
    """A copy of the model directory ``source`` with new ``thresholds`` and a new id; the
    model files are copied unchanged (their checksums still hold). ``note`` is added to the
    model card. Written atomically, like ``save_model``."""
    directory = Path(directory)
    if directory.resolve() == Path(source).resolve():
        raise ModerationError(f"{directory}: is the model being copied; write the copy elsewhere")
    check_model_destination(directory, force)
    meta = ModelMeta.read(Path(source))
    original_id = meta.model_id
    meta.thresholds = dict(thresholds)
    change = json.dumps({k: t.to_dict() for k, t in thresholds.items()}, sort_keys=True)
    digest = hashlib.sha256(change.encode()).hexdigest()
    meta.name = directory.name
    meta.model_id = f"{directory.name}-{meta.model_sha256[:12]}-{digest[:6]}"
    meta.copied_from = {"model_id": original_id, "path": str(source), "at": now_iso()}
    with atomic_directory(directory, MODEL_FILES) as staging:
        for name in (MODEL_FILE, SCORER_FILE, FINGERPRINTS_FILE, HEADS_FILE):
            if (Path(source) / name).is_file():
                shutil.copy2(Path(source) / name, staging / name)
        card_path = Path(source) / CARD_FILE
        card = card_path.read_text(encoding="utf-8") if card_path.is_file() else ""
        (staging / CARD_FILE).write_text(
            f"{card.rstrip()}\n\n## Changes in this copy\n\n{note}\n", encoding="utf-8"
        )
        meta.write(staging)
    return meta


def check_file(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ModelLoadError(f"{path}: missing; {REBUILD}")
    if sha256_file(path) != expected:
        raise ModelLoadError(
            f"{path}: checksum does not match {META_FILE} (the file is "
            f"corrupt or was changed); refusing to load it; {REBUILD}"
        )


def installed_version(package: str) -> str:
    """A package's version without importing it (importing scikit-learn costs a second)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _unpickle(directory: Path, meta: ModelMeta, why: str) -> Any:
    """The pipeline of a trusted model (``moderation.model.trust``); ``why`` says what needs
    it, for the refusal."""
    model_path = directory / MODEL_FILE
    check_trusted(directory, meta.model_sha256, why)
    check_file(model_path, meta.model_sha256)
    data = model_path.read_bytes()  # the bytes checked are the bytes loaded
    if hashlib.sha256(data).hexdigest() != meta.model_sha256:
        raise ModelLoadError(f"{model_path}: changed while being loaded; {REBUILD}")
    import io

    import joblib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn's own version warning: reported at load
            pipeline = joblib.load(io.BytesIO(data))
        classes = [str(c) for c in pipeline.named_steps["classifier"].classes_]
    except Exception as err:  # noqa: BLE001 - any unpickling failure means the same to a user
        raise ModelLoadError(
            f"{model_path}: cannot be loaded with scikit-learn "
            f"{installed_version('scikit-learn')} (saved with "
            f"{meta.versions.get('scikit-learn', 'unknown')}): {type(err).__name__}: {err}; "
            f"retrain it with this version: {REBUILD}"
        ) from None
    meta.check_labels(classes, str(model_path))
    return pipeline


def _load_scorer(directory: Path, meta: ModelMeta) -> LinearScorer:
    """``scorer.npz``, checked against ``meta.json``: the same labels in the same order, and
    arrays of matching shapes."""
    path = directory / SCORER_FILE
    check_file(path, meta.scorer_sha256 or "")
    try:
        scorer = LinearScorer.load(path)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as err:
        raise ModelLoadError(f"{path}: cannot be read ({err}); {REBUILD}") from None
    meta.check_labels(scorer.labels, str(path))
    labels, terms = len(scorer.labels), len(scorer.terms)
    shapes = {
        "coef": (scorer.coef.shape, (labels, terms)),
        "intercept": (scorer.intercept.shape, (labels,)),
        "idf": (scorer.idf.shape, (terms,)),
    }
    for name, (found, expected) in shapes.items():
        if found != expected:
            raise ModelLoadError(
                f"{path}: {name} has shape {found}, expected {expected} for {labels} labels "
                f"and {terms} terms; {REBUILD}"
            )
    return scorer


def load_model_dir(directory: Path, *, pipeline: bool = False) -> Model:
    """Load the model directory ``directory``. Every file's checksum is checked against
    ``meta.json`` before anything is read from it, so a changed ``model.joblib`` is refused
    before it is unpickled. The pipeline is unpickled now with ``pipeline=True``, else when
    first used (scoring uses ``scorer.npz`` where the model has one)."""
    meta = ModelMeta.read(directory)
    check_file(directory / MODEL_FILE, meta.model_sha256)
    scorer = _load_scorer(directory, meta) if meta.scorer_sha256 else None
    notes = []
    for package in ("scikit-learn", "numpy"):
        saved, installed = meta.versions.get(package), installed_version(package)
        if saved and saved.split(".")[:2] != installed.split(".")[:2]:
            notes.append(
                f"{directory}: saved with {package} {saved}, running {package} "
                f"{installed}; scores may differ slightly"
            )
    heads = None
    if meta.heads is not None:
        heads = load_heads(directory, meta.heads, len(scorer.terms) if scorer else None)
    model = Model(path=directory, meta=meta, scorer=scorer, warnings=notes, heads=heads)
    if pipeline or scorer is None:
        model.pipeline  # noqa: B018 - unpickle now, so a bad pickle fails at load
    for note in notes:
        warnings.warn(note, ModelVersionWarning, stacklevel=2)
    return model


def save_trained(
    trained: Any,
    output: Path,
    *,
    recipe: str | None,
    force: bool,
    adaptation: dict[str, Any] | None = None,
) -> ModelMeta:
    """The model directory of a trained model (``moderation.model.train.TrainedModel``): its
    meta (what it is, what it learnt from, its held-out metrics, versions), card and files."""
    from moderation.model.card import render_model_card

    meta = ModelMeta(
        model_id="",
        name=output.name,
        labels=trained.labels,
        thresholds=trained.thresholds,
        model_sha256="",
        versions=versions(),
        C=trained.C,
        config=trained.config.to_dict(),
        recipe=recipe,
        training_data=trained.examples,
        cv_metrics=trained.cv_metrics,
        training_seconds=trained.seconds,
        git_commit=git_commit(),
        created_at=now_iso(),
        adaptation=adaptation,
        # the identity audit's templates are English sentences
        audit=(
            audit_summary(trained.identity_audit()) if trained.config.language == "en" else None
        ),
    )
    heads = getattr(trained, "heads", None)  # moderation.model.heads.TrainedHeads
    if heads is not None:
        meta.heads = heads.report
    return save_model(
        trained.pipeline,
        meta,
        render_model_card(meta),
        output,
        force=force,
        fingerprints=getattr(trained, "fingerprints", None),
        heads=heads.heads if heads is not None else None,
    )
