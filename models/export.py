"""ONNX export of the emotion model (MLP, trees, deviation head): fp32, int8, checked, timed.

Graph contract (also in models/README.md):

* input ``features``: float32[N, N_FEATURES] — raw vectors from
  ``mirage.emotion.features`` (the standardisation is inside the graph);
* output ``va``: float32[N, 2] — (arousal, valence), each in [-1, 1] (tanh).
* metadata_props: ``feature_names`` (comma-separated), ``features_version``, ``step_s``,
  ``n_features``.

Optional gradient-boosting half: ``export_all(..., gbm=(models, weight[, columns]))`` appends
the fitted ``HistGradientBoostingRegressor`` pair (arousal, valence; trained on the input
``columns``, default all) as one ``ai.onnx.ml`` ``TreeEnsembleRegressor`` node on the same
input (its feature ids mapped back to input columns), clips it to
[-1, 1] and outputs ``va = (1 − weight)·mlp + weight·gbm`` — one graph, one session.
Optional deviation head: ``export_all(..., deviation=(models, minuend, subtrahend))`` adds
``dev = trees(features[:, minuend] − features[:, subtrahend])`` (two Gathers, a Sub and a
second TreeEnsembleRegressor) and outputs ``va = clip(blend + dev, −1, 1)``.

int8: both dynamic (int8 weights, activations quantised at run time) and static QDQ
(activations calibrated on 2,000 training steps) are built; the faster one at batch 1 on
one intra-op thread whose CCC against the targets is within 0.02 of fp32 is shipped.

``python -m models.train`` writes both files where the engine reads them, the package data
folder ``mirage/emotion/model_files/`` (``mirage.emotion.model.FP32_MODEL``/``DEFAULT_MODEL``),
so a wheel built afterwards ships them.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from mirage.emotion.feature_layout import FEATURE_NAMES, FEATURES_VERSION, N_FEATURES, STEP_S
from models.metrics import ccc

INPUT, OUTPUT = "features", "va"


def _session(path: Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def time_per_step_us(path: Path, X: np.ndarray, n: int = 3000) -> dict:
    """p50/p99 of one batch-1 inference (µs), one intra-op thread."""
    s = _session(path)
    x = X[:1].astype(np.float32)
    for _ in range(200):
        s.run(None, {INPUT: x})
    ts = np.empty(n)
    for i in range(n):
        x = X[i % len(X)][None].astype(np.float32)
        t0 = time.perf_counter()
        s.run(None, {INPUT: x})
        ts[i] = time.perf_counter() - t0
    return {"p50_us": float(np.percentile(ts, 50) * 1e6), "p99_us": float(np.percentile(ts, 99) * 1e6)}


def run(path: Path, X: np.ndarray) -> np.ndarray:
    return _session(path).run(None, {INPUT: X.astype(np.float32)})[0]


def _add_metadata(path: Path) -> None:
    m = onnx.load(str(path))
    for k, v in {"feature_names": ",".join(FEATURE_NAMES),
                 "features_version": str(FEATURES_VERSION), "step_s": str(STEP_S),
                 "n_features": str(N_FEATURES),
                 "outputs": "arousal,valence in [-1, 1]"}.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, str(path))


def gbm_predict(models, X: np.ndarray) -> np.ndarray:
    """Reference (sklearn) prediction of the tree half, clipped like the graph."""
    return np.clip(np.column_stack([m.predict(X) for m in models]), -1, 1)


def _tree_node(models, input_name: str, output_name: str, name: str = "gbm", columns=None):
    """One TreeEnsembleRegressor (n_targets = len(models)) equal to the fitted
    ``HistGradientBoostingRegressor``s: each predictor node goes left iff ``x <= threshold``.
    ``columns``: the input column of each feature the trees were fitted on (default: same)."""
    col = (lambda i: i) if columns is None else (lambda i: int(columns[i]))
    from onnx import helper
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
                         "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true", "target_treeids", "target_nodeids",
                         "target_ids", "target_weights")}
    base, tree = [], 0
    for k, m in enumerate(models):
        base.append(float(np.asarray(m._baseline_prediction).ravel()[0]))
        for (pred,) in m._predictors:
            for i, nd in enumerate(pred.nodes):
                leaf = bool(nd["is_leaf"])
                a["nodes_treeids"].append(tree)
                a["nodes_nodeids"].append(i)
                a["nodes_featureids"].append(0 if leaf else col(int(nd["feature_idx"])))
                a["nodes_values"].append(0.0 if leaf else float(nd["num_threshold"]))
                a["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
                a["nodes_truenodeids"].append(0 if leaf else int(nd["left"]))
                a["nodes_falsenodeids"].append(0 if leaf else int(nd["right"]))
                a["nodes_missing_value_tracks_true"].append(0 if leaf else int(nd["missing_go_to_left"]))
                if leaf:
                    a["target_treeids"].append(tree)
                    a["target_nodeids"].append(i)
                    a["target_ids"].append(k)
                    a["target_weights"].append(float(nd["value"]))
            tree += 1
    return helper.make_node("TreeEnsembleRegressor", [input_name], [output_name], name=name,
                            domain="ai.onnx.ml", n_targets=len(models), base_values=base,
                            aggregate_function="SUM", post_transform="NONE", **a)


def _extend_graph(path: Path, renamed_output: str, initializers: dict, nodes: list) -> None:
    """Rewrite the graph at ``path``: its output ``va`` becomes ``renamed_output``, then the
    constant ``initializers`` (name → array) and ``nodes`` are appended (they must produce
    ``va`` again); the ``ai.onnx.ml`` opset is declared for the tree nodes; checked, saved."""
    from onnx import helper, numpy_helper
    m = onnx.load(str(path))
    g = m.graph
    for node in g.node:
        node.output[:] = [renamed_output if o == OUTPUT else o for o in node.output]
    g.initializer.extend(numpy_helper.from_array(v, k) for k, v in initializers.items())
    g.node.extend(nodes)
    if not any(o.domain == "ai.onnx.ml" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("ai.onnx.ml", 3))
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


def _append_gbm(path: Path, models, weight: float, columns=None) -> None:
    """Rewrite the exported MLP graph at ``path`` into the MLP + trees blend."""
    from onnx import helper
    f32 = lambda v: np.asarray(v, np.float32)  # noqa: E731
    _extend_graph(path, "mlp_va", {"gbm_lo": f32(-1.0), "gbm_hi": f32(1.0),
                                   "w_mlp": f32(1.0 - weight), "w_gbm": f32(weight)}, [
        _tree_node(models, INPUT, "gbm_raw", columns=columns),
        helper.make_node("Clip", ["gbm_raw", "gbm_lo", "gbm_hi"], ["gbm_va"]),
        helper.make_node("Mul", ["mlp_va", "w_mlp"], ["mlp_part"]),
        helper.make_node("Mul", ["gbm_va", "w_gbm"], ["gbm_part"]),
        helper.make_node("Add", ["mlp_part", "gbm_part"], [OUTPUT])])


def _append_deviation(path: Path, models, minuend: np.ndarray, subtrahend: np.ndarray) -> None:
    """Rewrite the graph at ``path``: ``va = clip(va + trees(x[:, minuend] − x[:, subtrahend]))``."""
    from onnx import helper
    _extend_graph(path, "level_va", {
        "dev_minuend": np.asarray(minuend, np.int64),
        "dev_subtrahend": np.asarray(subtrahend, np.int64),
        "va_lo": np.asarray(-1.0, np.float32), "va_hi": np.asarray(1.0, np.float32)}, [
        helper.make_node("Gather", [INPUT, "dev_minuend"], ["dev_a"], name="dev_gather_a", axis=1),
        helper.make_node("Gather", [INPUT, "dev_subtrahend"], ["dev_b"], name="dev_gather_b",
                         axis=1),
        helper.make_node("Sub", ["dev_a", "dev_b"], ["dev_x"], name="dev_sub"),
        _tree_node(models, "dev_x", "dev_va", name="deviation"),
        helper.make_node("Add", ["level_va", "dev_va"], ["va_sum"], name="dev_add"),
        helper.make_node("Clip", ["va_sum", "va_lo", "va_hi"], [OUTPUT], name="va_clip")])


_NOT_QUANTISED = ["gbm", "deviation", "dev_gather_a", "dev_gather_b", "dev_sub", "dev_add",
                  "va_clip"]


def export_all(net, X_ref: np.ndarray, fp32_path: Path, int8_path: Path,
               y_ref: np.ndarray | None = None, gbm: tuple | None = None,
               deviation: tuple | None = None) -> dict:
    import torch
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_dynamic, quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    net.eval()
    torch.onnx.export(net, (torch.zeros(1, N_FEATURES),), str(fp32_path), dynamo=False,
                      input_names=[INPUT], output_names=[OUTPUT], opset_version=17,
                      dynamic_axes={INPUT: {0: "n"}, OUTPUT: {0: "n"}})
    if gbm is not None:
        _append_gbm(fp32_path, *gbm)
    if deviation is not None:
        _append_deviation(fp32_path, *deviation)
    _add_metadata(fp32_path)
    rng = np.random.default_rng(0)
    calib = X_ref[rng.choice(len(X_ref), 2000, replace=False)].astype(np.float32)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(calib[i:i + 1] for i in range(len(calib)))

        def get_next(self):
            x = next(self.it, None)
            return None if x is None else {INPUT: x}

    with torch.no_grad():
        p_torch = net(torch.tensor(X_ref, dtype=torch.float32)).numpy()
    if gbm is not None:
        cols = gbm[2] if len(gbm) > 2 else slice(None)
        p_torch = (1 - gbm[1]) * p_torch + gbm[1] * gbm_predict(gbm[0], X_ref[:, cols])
    if deviation is not None:
        models, a, b = deviation
        Z = X_ref[:, a] - X_ref[:, b]
        p_torch = np.clip(p_torch + np.column_stack([m.predict(Z) for m in models]), -1, 1)
    p32 = run(fp32_path, X_ref)
    out = {"fp32_vs_torch_max_abs": float(np.abs(p32 - p_torch).max()),
           "fp32_bytes": fp32_path.stat().st_size, "fp32_time": time_per_step_us(fp32_path, X_ref)}
    cands = {}
    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(fp32_path), str(pre))
        dyn = Path(tmp) / "dynamic.onnx"
        quantize_dynamic(str(pre), str(dyn), weight_type=QuantType.QInt8,
                         nodes_to_exclude=_NOT_QUANTISED)
        sta = Path(tmp) / "static.onnx"
        quantize_static(str(pre), str(sta), Reader(), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                        per_channel=True, nodes_to_exclude=_NOT_QUANTISED)
        for name, path in (("dynamic", dyn), ("static_qdq", sta)):
            p8 = run(path, X_ref)
            info = {"bytes": path.stat().st_size, "time": time_per_step_us(path, X_ref),
                    "max_abs_vs_fp32": float(np.abs(p8 - p32).max()),
                    "ccc_vs_fp32": [ccc(p32[:, c], p8[:, c]) for c in range(2)]}
            if y_ref is not None:
                info["ccc_delta_vs_targets"] = [ccc(y_ref[:, c], p8[:, c]) - ccc(y_ref[:, c], p32[:, c])
                                                for c in range(2)]
            cands[name] = (path, info)
        ok = {k: v for k, v in cands.items()
              if all(abs(d) <= 0.02 for d in v[1].get("ccc_delta_vs_targets", [0, 0]))
              and min(v[1]["ccc_vs_fp32"]) >= 0.98}
        pick = min(ok or cands, key=lambda k: cands[k][1]["time"]["p50_us"])
        int8_path.write_bytes(cands[pick][0].read_bytes())
    _add_metadata(int8_path)
    out["int8_candidates"] = {k: v[1] for k, v in cands.items()}
    out["int8_choice"] = pick
    out["int8_bytes"] = int8_path.stat().st_size
    return out
