"""Which model pickles this installation loads: the trust boundary.

A model directory's ``model.joblib`` is a pickle, and loading a pickle runs whatever code it
holds; its checksum in ``meta.json`` proves nothing, since whoever wrote the pickle wrote the
checksum too. So the commands score word-unigram models from ``scorer.npz`` (plain arrays,
loaded without pickle), and unpickle a model only when it needs it (a model without arrays,
or retraining from it) and the model is trusted:

- the shipped default models, one per language (they are part of the installed package, like
  its code);
- a model this installation wrote (``moderation train``, retraining, ``evaluate
  --find-thresholds``): its pickle's checksum is recorded in ``trusted_models.jsonl`` in the
  state folder (``$MODERATION_HOME``, else ``~/.config/moderation``);
- any model when the user says so: ``--trust-model`` on the command line, or
  ``MODERATION_TRUST_MODEL=1``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from moderation.errors import ModelLoadError
from moderation.files import append_durably, now_iso, open_for_append, read_json_lines

ENV_HOME = "MODERATION_HOME"
ENV_TRUST = "MODERATION_TRUST_MODEL"
TRUSTED_FILE = "trusted_models.jsonl"
META_FILE = "meta.json"


def home_dir() -> Path:
    """The state folder: the active model, the promotion history, the trusted models."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "moderation"


def shipped_model_dir(language: str = "en") -> Path:
    """The shipped model of ``language``: ``models/default`` (English) or
    ``models/default-LANG`` in a checkout, or the copy packaged in the wheel."""
    name = "default" if language == "en" else f"default-{language}"
    checkout = _CHECKOUT_MODELS / name
    if (checkout / META_FILE).is_file():
        return checkout
    return Path(str(resources.files("moderation") / "_models" / name))


def shipped_languages() -> tuple[str, ...]:
    """The languages a model is shipped for, English first."""
    found = {"en"}
    for folder in (_CHECKOUT_MODELS, Path(str(resources.files("moderation") / "_models"))):
        if folder.is_dir():
            found.update(
                path.name.removeprefix("default-")
                for path in folder.glob("default-*")
                if (path / META_FILE).is_file()
            )
    return ("en", *sorted(found - {"en"}))


_CHECKOUT_MODELS = Path(__file__).resolve().parents[2] / "models"


def trust_all_models(value: bool = True) -> None:
    """What ``--trust-model`` does: every model this process (and its workers) loads is
    trusted."""
    if value:
        os.environ[ENV_TRUST] = "1"
    else:
        os.environ.pop(ENV_TRUST, None)


def record_trusted(directory: Path, model_sha256: str) -> None:
    """Remember that this installation wrote the model whose pickle has ``model_sha256``."""
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    record = {"model_sha256": model_sha256, "path": str(Path(directory).resolve()), "at": now_iso()}
    with open_for_append(home / TRUSTED_FILE) as handle:
        append_durably(handle, [record])


def trusted_checksums() -> set[str]:
    lines = read_json_lines(home_dir() / TRUSTED_FILE, missing_ok=True)
    return {
        r["model_sha256"]
        for r in lines.records
        if isinstance(r, dict) and isinstance(r.get("model_sha256"), str)
    }


def is_trusted(directory: Path, model_sha256: str) -> bool:
    if os.environ.get(ENV_TRUST, "") not in ("", "0"):
        return True
    resolved = Path(directory).resolve()
    if any(resolved == shipped_model_dir(code).resolve() for code in shipped_languages()):
        return True
    return model_sha256 in trusted_checksums()


def check_trusted(directory: Path, model_sha256: str, why: str) -> None:
    """Refuse to unpickle an untrusted model; ``why`` says what needs the pickle."""
    if not is_trusted(directory, model_sha256):
        raise ModelLoadError(
            f"{Path(directory) / 'model.joblib'}: {why}, and loading a pickle runs the code it "
            "holds; this model was not made by this installation, so it is not loaded; if you "
            "trust where it came from, add --trust-model (see README: Trusting a model)"
        )
