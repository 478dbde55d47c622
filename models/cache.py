"""Where the training pipeline keeps what it can rebuild: ``~/.cache/mirage/emotion/``.

``render/{variant}/`` the fluidsynth renders (`models.render`), ``emopia/`` the extracted
EMOPIA MIDI files (`models.emopia`), ``features/`` the feature tables (`models.dataset`),
``report*.json`` the training reports (`models.train`). Nothing of it goes into the repository.
"""

from __future__ import annotations

from pathlib import Path

CACHE = Path.home() / ".cache" / "mirage" / "emotion"
