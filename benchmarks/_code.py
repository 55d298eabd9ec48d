"""Which checkout's code a benchmark's child process runs.

``python -m moderation`` and ``python -c`` put the working directory first on ``sys.path``,
ahead of PYTHONPATH: a child started from the root of a checkout imports that checkout's
package whatever PYTHONPATH names. So a child meant to run older code (``--compare OLD``)
starts in OLD, and a child meant to run this code starts in this checkout, wherever the
benchmark itself was started from. (Until this module, `--compare` run from the repository's
root measured the new code twice.)
"""

from __future__ import annotations

import os
from pathlib import Path

THIS_CHECKOUT = Path(__file__).resolve().parent.parent


def child_options(code: Path | None) -> dict:
    """``env`` and ``cwd`` for ``subprocess`` so that the child imports the package of the
    checkout at ``code`` (None: this one). Paths given to the child must be absolute."""
    root = Path(code).resolve() if code is not None else THIS_CHECKOUT
    return {"env": dict(os.environ, PYTHONPATH=str(root)), "cwd": str(root)}
