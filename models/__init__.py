"""Training pipeline of MIRAGE's emotion (valence/arousal) model.

Not part of the installed engine (not in the wheel; nothing under ``mirage/`` or ``kernels/``
imports it): run from the repository root (``python -m models.train``). The shipped artefacts
are ``mirage/emotion/model_files/emotion-va.{fp32,int8}.onnx`` (package data of
``mirage.emotion``, written there by the export) and the model card ``models/README.md``.
"""

import os as _os

# One core for training/featurising (the machine is shared); must precede numpy's import.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
