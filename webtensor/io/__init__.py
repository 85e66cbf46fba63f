"""Save and load models in the TensorFlow.js layers format.

A saved model is a directory with ``model.json`` (``modelTopology``: the Keras JSON
config; ``weightsManifest``: weight names, shapes and dtypes, and the shard files that
hold them) and little-endian binary weight shards. ``load_layers_model`` also reads
the files the ``tensorflowjs`` converter writes for Keras models: the topology wrapped
in ``model_config``, several shards, quantized weights (uint8/uint16 with ``scale`` and
``min``, or float16), int32 weights, Keras 2 and Keras 3 configs.

Example:
    >>> import tempfile, numpy as np, webtensor as wt
    >>> from webtensor.io import load_layers_model, save_model
    >>> m = wt.sequential([wt.layers.Dense(2, input_shape=(3,))])
    >>> d = tempfile.mkdtemp()
    >>> save_model(m, d + "/m")
    >>> m2 = load_layers_model(d + "/m/model.json")
    >>> bool(np.allclose(m.predict(np.ones((1, 3))).numpy(), m2.predict(np.ones((1, 3))).numpy()))
    True
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ..identifiers import to_snake_case

__all__ = ["save_model", "load_layers_model", "model_to_json", "read_weights"]

GENERATED_BY = "webtensor"
_SHARD_BYTES = 4 * 1024 * 1024  # TF.js's default shard size
_DTYPES = {"float32": (np.dtype("<f4"), 4), "int32": (np.dtype("<i4"), 4),
           "bool": (np.dtype("u1"), 1)}
_QUANT = {"uint8": np.dtype("u1"), "uint16": np.dtype("<u2"), "float16": np.dtype("<f2")}
_RECURRENT = {"LSTM", "GRU", "LSTMCell", "GRUCell"}
_DROP_KEYS = {"zero_output_for_mask", "module", "registered_name", "build_config", "ragged",
              "shared_object_id"}


def _version() -> str:
    from .. import __version__

    return __version__


def _path(path) -> Path:
    s = os.fspath(path)
    if s.startswith("file://"):
        s = s[len("file://"):]
    return Path(s)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError(f"save_model: a config holds a non-finite number {obj}")
    return obj


# -- saving ----------------------------------------------------------------------------
def model_to_json(model) -> dict:
    """The ``modelTopology`` of a model: ``{class_name, config, keras_version, backend}``.

    Example:
        >>> import webtensor as wt
        >>> from webtensor.io import model_to_json
        >>> m = wt.sequential([wt.layers.Dense(2, input_shape=(3,), name="d")])
        >>> t = model_to_json(m); t["class_name"], t["config"]["layers"][0]["config"]["units"]
        ('Sequential', 2)
    """
    from ..models import Sequential

    class_name = "Sequential" if isinstance(model, Sequential) else "Model"
    return {"class_name": class_name, "config": _jsonable(model.get_config()),
            "keras_version": f"webtensor {_version()}", "backend": "webtensor"}


def save_model(model, path) -> None:
    """Write ``model`` to the directory ``path`` in the TensorFlow.js layers format.

    Files: ``model.json`` and ``group1-shard{i}of{n}.bin`` (float32, little-endian, 4 MB
    shards). Weights are named ``<layer>/<weight>``. The directory is written under a
    temporary name and renamed into place, so a failure never leaves a half-written
    model (an existing one at ``path`` is replaced only once the new one is complete).

    Args:
        model: a Sequential or functional model.
        path: the directory (``file://`` prefix allowed); created if missing.

    Raises:
        ValueError: two weights share a name, or the model has no graph yet.

    Example:
        >>> import os, tempfile, webtensor as wt
        >>> from webtensor.io import save_model
        >>> d = os.path.join(tempfile.mkdtemp(), "model")
        >>> save_model(wt.sequential([wt.layers.Dense(1, input_shape=(2,))]), d)
        >>> sorted(os.listdir(d))
        ['group1-shard1of1.bin', 'model.json']
    """
    target = _path(path)
    topology = model_to_json(model)
    variables = list(model.weights)
    names = [v.name for v in variables]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"save_model: model {model.name!r} has several weights named {dup}; "
                         "give its layers unique names")
    specs, blobs = [], []
    for v in variables:
        arr = v.numpy()
        dtype = "int32" if v.dtype == "int32" else "float32"
        specs.append({"name": v.name, "shape": [int(d) for d in arr.shape], "dtype": dtype})
        blobs.append(np.ascontiguousarray(arr, _DTYPES[dtype][0]).tobytes())
    data = b"".join(blobs)
    n_shards = max(1, -(-len(data) // _SHARD_BYTES))
    paths = [f"group1-shard{i + 1}of{n_shards}.bin" for i in range(n_shards)]
    manifest = [{"paths": paths, "weights": specs}]
    doc = {"modelTopology": topology, "format": "layers-model",
           "generatedBy": f"{GENERATED_BY} {_version()}", "convertedBy": None,
           "weightsManifest": manifest}
    text = json.dumps(doc)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        for i, name in enumerate(paths):
            (tmp / name).write_bytes(data[i * _SHARD_BYTES:(i + 1) * _SHARD_BYTES])
        (tmp / "model.json").write_text(text)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            os.replace(target, old)
            try:
                os.replace(tmp, target)
            except BaseException:
                os.replace(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# -- loading ---------------------------------------------------------------------------
def _snake_keys(obj):
    if isinstance(obj, dict):
        return {to_snake_case(k) if isinstance(k, str) else k: _snake_keys(v)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_snake_keys(v) for v in obj]
    return obj


def _fix_layer(layer: dict, from_tfjs: bool) -> dict:
    """Normalize one serialized layer ``{class_name, config, ...}`` (in place, returned)."""
    cfg = layer.get("config")
    if not isinstance(cfg, dict):
        return layer
    for k in _DROP_KEYS:
        cfg.pop(k, None)
    dtype = cfg.get("dtype")
    if isinstance(dtype, dict):  # Keras 3 / mixed-precision policy
        cfg["dtype"] = (dtype.get("config") or {}).get("name", "float32")
    if "batch_shape" in cfg and "batch_input_shape" not in cfg:
        cfg["batch_input_shape"] = cfg.pop("batch_shape")
    if layer.get("class_name") in _RECURRENT and "recurrent_activation" not in cfg:
        cfg["recurrent_activation"] = "hard_sigmoid" if from_tfjs else "sigmoid"
    if isinstance(cfg.get("layer"), dict):  # wrappers
        _fix_layer(cfg["layer"], from_tfjs)
    if isinstance(cfg.get("backward_layer"), dict):
        _fix_layer(cfg["backward_layer"], from_tfjs)
    if "layers" in cfg and isinstance(cfg["layers"], list):  # nested models
        for inner in cfg["layers"]:
            _fix_layer(inner, from_tfjs)
    nodes = layer.get("inbound_nodes")
    if isinstance(nodes, list):
        layer["inbound_nodes"] = [_fix_node(n) for n in nodes]
    return layer


def _history(arg) -> list:
    cfg = arg.get("config", {}) if isinstance(arg, dict) else {}
    hist = cfg.get("keras_history")
    if hist is None:
        raise ValueError(f"load_layers_model: cannot read a node argument {arg!r}")
    return list(hist)


def _fix_node(node):
    """Keras 3 nodes ``{args, kwargs}`` -> Keras 2 / TF.js ``[[layer, node, tensor, kwargs]]``."""
    if isinstance(node, dict):
        args = node.get("args", [])
        kwargs = node.get("kwargs", {}) or {}
        flat = []
        for a in args:
            if isinstance(a, list):
                flat += [_history(x) for x in a]
            else:
                flat.append(_history(a))
        return [[*h, kwargs] for h in flat]
    return node


def _refs(value) -> list:
    if value and not isinstance(value[0], list):
        return [value]
    return value


def _topology(doc: dict) -> tuple[dict, bool]:
    if "modelTopology" in doc:
        topo = doc["modelTopology"]
    elif "model_topology" in doc:
        topo = doc["model_topology"]
    else:
        topo = doc
    if topo is None:
        raise ValueError("load_layers_model: the file has no modelTopology (weights only?)")
    if "model_config" in topo or "modelConfig" in topo:
        topo = topo.get("model_config", topo.get("modelConfig"))
    generated = str(doc.get("generatedBy") or doc.get("generated_by") or "")
    low = generated.lower()
    from_tfjs = "tensorflow.js" in low or low.startswith("tfjs")
    return _snake_keys(topo), from_tfjs


def _build_model(topo: dict, from_tfjs: bool):
    from ..models import Model, Sequential

    class_name = topo.get("class_name")
    config = topo.get("config")
    if isinstance(config, list):
        config = {"layers": config}
    if not isinstance(config, dict):
        raise ValueError(f"load_layers_model: unreadable model topology of class {class_name!r}")
    for layer in config.get("layers", []):
        _fix_layer(layer, from_tfjs)
    if class_name == "Sequential":
        return Sequential.from_config(config)
    if class_name in ("Model", "Functional"):
        config = dict(config)
        config["input_layers"] = _refs(config["input_layers"])
        config["output_layers"] = _refs(config["output_layers"])
        return Model.from_config(config)
    raise ValueError(f"load_layers_model: unknown model class {class_name!r} (expected "
                     "'Sequential', 'Model' or 'Functional')")


def read_weights(manifest: list, base: Path) -> list[tuple[str, np.ndarray]]:
    """(name, float32 array) of every weight a ``weightsManifest`` lists, in file order.

    Shards of a group are concatenated; quantized weights (``quantization``:
    ``{dtype: uint8|uint16, scale, min}`` or ``{dtype: float16}``) are de-quantized.

    Example:
        >>> import tempfile, numpy as np
        >>> from pathlib import Path
        >>> from webtensor.io import read_weights
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / "w.bin").write_bytes(np.array([0, 255], np.uint8).tobytes())
        >>> m = [{"paths": ["w.bin"], "weights": [{"name": "a", "shape": [2], "dtype": "float32",
        ...       "quantization": {"dtype": "uint8", "scale": 0.01, "min": -1.0}}]}]
        >>> read_weights(m, d)[0][1].astype(float).round(2).tolist()
        [-1.0, 1.55]
    """
    out = []
    for group in manifest:
        buf = b"".join((base / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            name = spec["name"]
            shape = [int(d) for d in spec.get("shape", [])]
            count = math.prod(shape)
            dtype = spec.get("dtype", "float32")
            quant = spec.get("quantization")
            qtype = quant.get("dtype") if quant else None
            if quant and qtype not in _QUANT:
                raise ValueError(f"load_layers_model: weight {name!r} has unsupported "
                                 f"quantization dtype {qtype!r}")
            if not quant and dtype not in _DTYPES:
                raise ValueError(f"load_layers_model: weight {name!r} has unsupported dtype "
                                 f"{dtype!r}")
            np_dtype = _QUANT[qtype] if quant else _DTYPES[dtype][0]
            nbytes = count * np_dtype.itemsize
            if offset + nbytes > len(buf):
                raise ValueError(f"load_layers_model: the weight files are too short for "
                                 f"weight {name!r} (need {offset + nbytes} bytes, have "
                                 f"{len(buf)})")
            raw = np.frombuffer(buf, np_dtype, count, offset)
            if quant and qtype != "float16":
                values = (raw.astype(np.float64) * float(quant["scale"])
                          + float(quant["min"])).astype(np.float32)
            else:
                values = raw.astype(np.float32)
            offset += nbytes
            out.append((name, values.reshape(shape)))
    return out


def _normal_name(name: str) -> str:
    name = re.sub(r":\d+$", "", name)
    parts = name.split("/")
    # Keras keeps RNN weights under the cell ('lstm/lstm_cell/kernel'); we name them 'lstm/kernel'
    parts = [p for i, p in enumerate(parts) if not (0 < i < len(parts) - 1 and
                                                     re.fullmatch(r".*_cell(_\d+)?", p))]
    return "/".join(parts)


def _assign(model, weights: list[tuple[str, np.ndarray]], strict: bool = True) -> None:
    """Set the model's weights from the files' (name, array) pairs.

    Not strict (TF.js's ``strict: false``): weights missing from the files keep their
    initial values and extra ones are ignored; a shape mismatch is still an error.
    """
    variables = list(model.weights)
    exact = {n: a for n, a in weights}
    normal = {_normal_name(n): a for n, a in weights}
    values, missing = [], []
    for v in variables:
        arr = exact.get(v.name)
        if arr is None:
            arr = normal.get(_normal_name(v.name))
        if arr is None:
            missing.append(v.name)
        values.append(arr)
    if missing and not strict:
        pairs = [(v, a) for v, a in zip(variables, values) if a is not None]
        variables, values = [p[0] for p in pairs], [p[1] for p in pairs]
    elif missing:
        if len(weights) != len(variables):
            raise ValueError(f"load_layers_model: no weight in the files for {missing} (the "
                             f"files hold {[n for n, _ in weights]})")
        values = [a for _, a in weights]  # same count: the files' order is Keras order
    for v, arr in zip(variables, values, strict=True):
        if tuple(arr.shape) != tuple(v.shape):
            raise ValueError(f"load_layers_model: weight {v.name!r} has shape {list(v.shape)} "
                             f"in the model but {list(arr.shape)} in the files")
    from ..scope import tidy

    with tidy():
        for v, arr in zip(variables, values, strict=True):
            v.assign(np.ascontiguousarray(arr, np.float32))


def load_layers_model(path, strict: bool = True):
    """Load a model saved in the TensorFlow.js layers format [tf.loadLayersModel].

    Reads files written by ``save_model`` / ``model.save``, by TensorFlow.js
    (``model.save('file://...')``) and by the ``tensorflowjs`` converter (Keras models).
    A recurrent layer whose config names no ``recurrent_activation`` gets
    ``hard_sigmoid`` when the file was generated by TensorFlow.js, else ``sigmoid``.

    Args:
        path: ``model.json`` or the directory holding it (``file://`` allowed).
        strict: require a value in the files for every weight of the model.

    Raises:
        ValueError: an unknown layer class (named in the message), a weight missing from
            the files or of the wrong shape, an unsupported dtype.
        FileNotFoundError: no model.json, or a shard it lists is missing.

    Example:
        >>> import tempfile, webtensor as wt
        >>> from webtensor.io import load_layers_model
        >>> d = tempfile.mkdtemp()
        >>> wt.sequential([wt.layers.Dense(4, input_shape=(2,), name="h")]).save(d)
        >>> [w.name for w in load_layers_model(d).weights]
        ['h/kernel', 'h/bias']
    """
    p = _path(path)
    if p.is_dir():
        p = p / "model.json"
    doc = json.loads(p.read_text())
    topo, from_tfjs = _topology(doc)
    model = _build_model(topo, from_tfjs)
    manifest = doc.get("weightsManifest") or doc.get("weights_manifest") or []
    weights = read_weights(manifest, p.parent)
    if weights or strict:
        if not weights and model.weights:
            raise ValueError("load_layers_model: the file lists no weights for a model that "
                             "has some")
        if weights:
            _assign(model, weights, strict)
    return model
