"""The shipped valence/arousal model: load, validate, predict (onnxruntime, one thread).

Graph contract: input ``features`` float32[N, N_FEATURES] (raw vectors of
:mod:`mirage.emotion.features`; standardisation is inside the graph), output ``va``
float32[N, 2] = (arousal, valence) in [-1, 1]. The file's ``feature_names`` metadata, when
present, must list :data:`~mirage.emotion.feature_layout.FEATURE_NAMES`, and its
``features_version`` (1 when absent) must be
:data:`~mirage.emotion.feature_layout.FEATURES_VERSION`: a model trained on other features of the
same count, or on features of the same names that measured something else, would otherwise
give silent garbage.

The shipped files live inside the package, ``mirage/emotion/model_files/`` (package data:
they are in the wheel and in every installation, editable or not); ``python -m models.train``
writes them there. They are located with :mod:`importlib.resources`, which for an installed
package is a folder on disk (onnxruntime needs a file name: a zipped installation is not
supported).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np

from mirage.emotion.feature_layout import FEATURE_NAMES, FEATURES_VERSION, N_FEATURES
from mirage.errors import InputError

MODEL_FILES = Path(str(files("mirage.emotion") / "model_files"))
"""The folder of the shipped models (package data of ``mirage.emotion``)."""
DEFAULT_MODEL = MODEL_FILES / "emotion-va.int8.onnx"
"""The shipped int8 model, used unless another file is given."""
FP32_MODEL = MODEL_FILES / "emotion-va.fp32.onnx"
"""The same model in float32 (the reference the int8 one is checked against)."""
INPUT, OUTPUT = "features", "va"


class EmotionModel:
    """An ONNX valence/arousal model, validated at construction.

    Raises
    ------
    InputError
        The file is missing, not a loadable ONNX model, or its inputs/outputs do not match
        the contract (one line naming the file).
    """

    def __init__(self, path: str | Path | None = None):
        import onnxruntime as ort

        self.path = Path(path) if path is not None else DEFAULT_MODEL
        if not self.path.is_file():
            raise InputError(f"emotion model not found: {self.path}")
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.log_severity_level = 4
        try:
            self._session = ort.InferenceSession(str(self.path), so,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises several private types for bad files
            raise InputError(f"emotion model {self.path} cannot be loaded: "
                             f"{str(exc).splitlines()[0][:160]}") from None
        ins, outs = self._session.get_inputs(), self._session.get_outputs()
        if ([i.name for i in ins] != [INPUT] or [o.name for o in outs] != [OUTPUT]
                or ins[0].shape[-1] != N_FEATURES):
            raise InputError(f"emotion model {self.path} does not match the contract "
                             f"({INPUT}[N, {N_FEATURES}] -> {OUTPUT}[N, 2])")
        meta = self._session.get_modelmeta().custom_metadata_map
        names = meta.get("feature_names")
        version = meta.get("features_version", "1")
        if ((names is not None and names.split(",") != list(FEATURE_NAMES))
                or version != str(FEATURES_VERSION)):
            raise InputError(f"emotion model {self.path} was trained on other features than "
                             f"this version of mirage computes (model: features version "
                             f"{version}, mirage: {FEATURES_VERSION}; retrain: make model)")
        self._x = np.zeros((1, N_FEATURES), np.float32)

    def predict(self, features: np.ndarray) -> tuple[float, float]:
        """(arousal, valence) of one feature vector ``float32[N_FEATURES]``."""
        self._x[0] = features
        va = self._session.run(None, {INPUT: self._x})[0]
        return float(va[0, 0]), float(va[0, 1])

    def predict_batch(self, features: np.ndarray) -> np.ndarray:
        """``float32[N, 2]`` (arousal, valence) of ``float32[N, N_FEATURES]``."""
        x = np.ascontiguousarray(features, np.float32).reshape(-1, N_FEATURES)
        if x.shape[0] == 0:
            return np.zeros((0, 2), np.float32)
        return self._session.run(None, {INPUT: x})[0]
