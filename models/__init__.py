"""Training pipeline of MIRAGE's emotion (valence/arousal) model.

Not part of the installed engine: run from the repository root (``python -m models.train``).
The shipped artefacts are ``models/emotion-va.{fp32,int8}.onnx`` and the model card
``models/README.md``.
"""

import os as _os

# One core for training/featurising (the machine is shared); must precede numpy's import.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
