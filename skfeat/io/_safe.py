"""Safe persistence: weights as safetensors, everything else as JSON, one file.

A saved model is a single safetensors file. Its tensors are the torch module's
weights (and optimizer state) plus every numeric array of the fitted estimator; its
header's metadata holds one JSON document describing the rest: parameters, class
labels, vocabularies, the field schema, scaler statistics and library versions.

Loading parses JSON and reads tensors; nothing from the file is executed and
nothing is unpickled. Objects are rebuilt only from an allow-list of classes
(skfeat's estimators and the few scikit-learn and skfeat helpers they hold) by
setting their attributes, which runs no code of the file's choosing.

The writer and the reader are kept in one module so that every tag the
writer emits sits next to the code that checks it on the way back.
"""

import hashlib
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import torch

from skfeat.io._ensembles import restore_bunches
from skfeat.utils._validation import check_weight_shapes

#: Version of the file layout. 1: an object's attributes as they were; 2: a
#: model's parameters and its declared fitted state (``__skfeat_fitted_state__``).
#: Both are read (``tests/test_io.py`` loads files written in format 1); a file
#: with a newer version is refused with a message that says so.
FORMAT_VERSION = 2
_FORMAT_NAME = "skfeat-safe"
#: digest of the stored tensors, checked on load when the header has one
#: (files written before it was added have none and still load)
_DIGEST = "sha256"

_NUMPY_TYPES = {
    t.__name__: t
    for t in (
        np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
        np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.bool_,
        np.object_, np.str_,
    )
}  # fmt: skip
_BUILTIN_TYPES = {
    "float": float,
    "int": int,
    "str": str,
    "bool": bool,
    "object": object,
}
_TENSOR_DTYPES = set("biuf")  # numpy kinds stored as tensors (bool, int, uint, float)


def _allowed_classes():
    """Qualified name -> class, for every class a saved file may instantiate."""
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import MiniBatchDictionaryLearning, SparseCoder
    from sklearn.frozen import FrozenEstimator
    from sklearn.impute import MissingIndicator, SimpleImputer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import (
        Binarizer,
        FunctionTransformer,
        KBinsDiscretizer,
        LabelEncoder,
        MaxAbsScaler,
        MinMaxScaler,
        Normalizer,
        OneHotEncoder,
        OrdinalEncoder,
        PolynomialFeatures,
        QuantileTransformer,
        RobustScaler,
        StandardScaler,
    )

    from skfeat._fields import FieldEncoder, FieldSchema, NumericBinner
    from skfeat.io._ensembles import ensemble_classes
    from skfeat.models import WeightAveraging
    from skfeat.utils.discovery import all_estimators

    classes = [
        FieldEncoder,
        FieldSchema,
        NumericBinner,
        OrdinalEncoder,
        OneHotEncoder,
        StandardScaler,
        LabelEncoder,
        KBinsDiscretizer,
        QuantileTransformer,
        SparseCoder,
        MiniBatchDictionaryLearning,
        FrozenEstimator,
        # scikit-learn composition and preprocessing around skfeat models: their
        # fitted state is arrays, scalars and the steps themselves
        Pipeline,
        ColumnTransformer,
        FeatureUnion,
        SimpleImputer,
        MissingIndicator,
        MinMaxScaler,
        MaxAbsScaler,
        RobustScaler,
        Normalizer,
        Binarizer,
        PolynomialFeatures,
        # only as an identity (a ColumnTransformer's fitted passthrough): a
        # function it holds is refused like any other callable
        FunctionTransformer,
        # a model's ``callbacks`` entry: its state is the epoch it starts from
        # (the sums and rows it keeps while training are dropped at the end)
        WeightAveraging,
    ]
    classes += [cls for _, cls in all_estimators()]
    classes += ensemble_classes()
    allowed = {_qualname(cls): cls for cls in classes}
    # the module paths these classes were saved under before they moved
    allowed.update(_moved_classes())
    return allowed


def _moved_classes():
    from skfeat._fields import FieldEncoder, FieldSchema, NumericBinner

    return {
        "skfeat.models._fields.FieldEncoder": FieldEncoder,
        "skfeat.models._fields.FieldSchema": FieldSchema,
        "skfeat.models._binning.NumericBinner": NumericBinner,
    }


def _item_where(where, i, item):
    """Where an item of a list is, for messages: a named step by its name."""
    if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[0], str):
        return f"{where}: step {item[0]!r}"
    return f"{where}[{i}]"


def _qualname(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _tensor_digest(tensors):
    """SHA-256 over the tensors in key order: each one's key, dtype and shape,
    then its bytes. It detects altered or overwritten weights; it is not a
    signature (whoever rewrites the tensors can rewrite the digest)."""
    h = hashlib.sha256()
    for key in sorted(tensors):
        t = tensors[key].detach().cpu()
        h.update(json.dumps([key, str(t.dtype), list(t.shape)]).encode())
        if t.numel():  # an empty tensor has no bytes (and may have stride 0)
            flat = t.contiguous().reshape(-1)
            h.update(flat.view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


class _Writer:
    def __init__(self):
        self.tensors = {}
        self._allowed = _allowed_classes()

    def _tensor(self, value, prefix="t"):
        key = f"{prefix}/{len(self.tensors)}"
        self.tensors[key] = value.detach().cpu().contiguous().clone()
        return key

    def encode(self, obj, where="estimator"):
        if obj is None or isinstance(obj, bool | str):
            return obj
        if isinstance(obj, int) and not isinstance(obj, bool):
            return obj
        if isinstance(obj, float):
            return obj if math.isfinite(obj) else {"__float__": repr(obj)}
        if isinstance(obj, np.generic):
            return {
                "__npscalar__": obj.dtype.name,
                "value": self.encode(obj.item(), where),
            }
        if isinstance(obj, np.ndarray):
            if obj.dtype.kind in _TENSOR_DTYPES:
                return {
                    "__ndarray__": self._tensor(torch.from_numpy(np.array(obj))),
                    "dtype": obj.dtype.str,
                    "shape": list(obj.shape),
                }
            if obj.dtype.kind in "OU":
                return {
                    "__objarray__": [
                        self.encode(v, where) for v in obj.ravel().tolist()
                    ],
                    "dtype": "object" if obj.dtype.kind == "O" else obj.dtype.str,
                    "shape": list(obj.shape),
                }
            raise TypeError(f"{where}: arrays of dtype {obj.dtype} cannot be saved.")
        if isinstance(obj, torch.Tensor):
            return {"__tensor__": self._tensor(obj)}
        if isinstance(obj, torch.nn.Module):
            # a bare module attribute (not a skorch net): its weights as tensors;
            # the owner rebuilds the architecture (``_rebuild_module``)
            return {
                "__nnmodule__": {
                    k: self._tensor(v, "module") for k, v in obj.state_dict().items()
                }
            }
        if isinstance(obj, torch.device):
            return {"__device__": str(obj)}
        if isinstance(obj, np.dtype):
            return {"__dtype__": obj.str}
        if isinstance(obj, type):
            name = obj.__name__
            if _NUMPY_TYPES.get(name) is obj or _BUILTIN_TYPES.get(name) is obj:
                return {"__type__": name}
            raise TypeError(f"{where}: the class {obj!r} cannot be saved safely.")
        if isinstance(obj, slice):
            ends = (obj.start, obj.stop, obj.step)
            return {"__slice__": [self.encode(v, where) for v in ends]}
        if isinstance(obj, tuple):
            return {"__tuple__": [self.encode(v, where) for v in obj]}
        if isinstance(obj, list):
            return [self.encode(v, _item_where(where, i, v)) for i, v in enumerate(obj)]
        if isinstance(obj, dict):
            if all(isinstance(k, str) for k in obj):
                return {
                    "__dict__": {
                        k: self.encode(v, f"{where}.{k}") for k, v in obj.items()
                    }
                }
            return {
                "__items__": [
                    [self.encode(k, where), self.encode(v, where)]
                    for k, v in obj.items()
                ]
            }
        if isinstance(obj, pd.DataFrame):
            return {
                "__dataframe__": [
                    [self.encode(c, where), self.encode(obj[c].to_numpy(), where)]
                    for c in obj.columns
                ],
                "dtypes": [str(dt) for dt in obj.dtypes],
                "index": self.encode(obj.index.to_numpy(), where),
            }
        if isinstance(obj, np.random.RandomState):
            kind, keys, pos, has_gauss, gauss = obj.get_state()
            return {
                "__randomstate__": [
                    kind,
                    self.encode(keys),
                    pos,
                    has_gauss,
                    self.encode(gauss),
                ]
            }
        name = _qualname(type(obj))
        if name not in self._allowed:
            raise TypeError(
                f"{where} holds a {type(obj).__name__} object, which skfeat.io cannot "
                "save safely (only skfeat estimators, the scikit-learn helpers "
                "they use, and Pipeline/ColumnTransformer/FeatureUnion of them with "
                "scikit-learn's scalers, encoders and imputers). Set it to None or "
                "use pickle/joblib for this object."
            )
        if getattr(obj, "func", None) is not None or (
            getattr(obj, "inverse_func", None) is not None
        ):  # a FunctionTransformer: only the identity is data
            raise TypeError(
                f"{where} is a {type(obj).__name__} of a function, which skfeat.io "
                "cannot save safely (it stores data, never code). Use pickle/joblib "
                "for a trusted file, or a scikit-learn transformer that does the same."
            )
        declared = getattr(type(obj), "__skfeat_fitted_state__", None)
        state = dict(vars(obj))
        for transient in getattr(type(obj), "_transient_attributes", ()):
            state.pop(transient, None)
        net = state.pop("net_", None)
        out = {"__object__": name}
        if net is not None:
            out["net"] = self._encode_net(net, where)
        if declared is None:
            out["state"] = {
                k: self.encode(v, f"{where}.{k}") for k, v in state.items()
            }
            return out
        # a model: its parameters and its declared fitted state, nothing else,
        # so that a private rename cannot silently change the file format
        params = obj.get_params(deep=False)
        out["params"] = {k: self.encode(v, f"{where}.{k}") for k, v in params.items()}
        out["fitted"] = {
            k: self.encode(state[k], f"{where}.{k}") for k in declared if k in state
        }
        return out

    def _encode_net(self, net, where):
        from skfeat.nn._compressed import CompressedEmbedding

        module = {
            k: self._tensor(v, "module") for k, v in net.module_.state_dict().items()
        }
        optim = getattr(net, "optimizer_", None)
        out = {
            "module": module,
            "optimizer": None
            if optim is None
            else self.encode(optim.state_dict(), f"{where}.net_.optimizer_"),
            "batch_size": int(net.batch_size),
        }
        # compressed tables (skfeat.compress) are stored as they are (integer
        # rows, scales, index), with the layout that rebuilds them
        compressed = {
            name: m.layout()
            for name, m in net.module_.named_modules()
            if isinstance(m, CompressedEmbedding)
        }
        if compressed:
            out["compressed"] = compressed
        return out


class _PendingModule:
    """Weights of a module attribute, until its owner rebuilds the module."""

    def __init__(self, weights):
        self.weights = weights


class _Reader:
    def __init__(self, tensors, path, device="cpu"):
        self.tensors = tensors
        self.path = path
        self.device = device
        self._allowed = _allowed_classes()

    def _bad(self, why):
        return ValueError(f"{self.path} is not a valid skfeat model file: {why}")

    def _get(self, key):
        if not isinstance(key, str) or key not in self.tensors:
            raise self._bad(f"it refers to a missing tensor {key!r}")
        return self.tensors[key]

    def decode(self, node):
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or len(node) == 0:
            raise self._bad(f"unexpected JSON value {str(node)[:80]!r}")
        tag = next(iter(node))
        if tag == "__float__":
            if node[tag] not in ("nan", "inf", "-inf"):
                raise self._bad("bad float")
            return float(node[tag])
        if tag == "__npscalar__":
            return self._numpy_type(node[tag])(self.decode(node["value"]))
        if tag == "__ndarray__":
            arr = self._get(node[tag]).numpy().copy()
            dtype = np.dtype(node["dtype"])
            # a declared dtype cannot widen the stored bytes (``V100000000``)
            if dtype.kind not in _TENSOR_DTYPES or dtype.itemsize > 8:
                raise self._bad(f"bad array dtype {node['dtype']!r}")
            return arr.astype(dtype, copy=False).reshape(node["shape"])
        if tag == "__objarray__":
            values = [self.decode(v) for v in node[tag]]
            dtype = object if node["dtype"] == "object" else np.dtype(node["dtype"])
            if dtype is not object:
                # strings: no wider than the longest value (``<U100000000``)
                longest = max([len(str(v)) for v in values], default=0)
                if dtype.kind != "U" or dtype.itemsize > 4 * max(longest, 1):
                    raise self._bad(f"bad array dtype {node['dtype']!r}")
            arr = np.empty(len(values), dtype=dtype)
            arr[:] = values
            return arr.reshape(node["shape"])
        if tag == "__tensor__":
            return self._get(node[tag]).clone()
        if tag == "__nnmodule__":
            return _PendingModule({k: self._get(v) for k, v in node[tag].items()})
        if tag == "__device__":
            return torch.device(node[tag])
        if tag == "__dtype__":
            return np.dtype(node[tag])
        if tag == "__type__":
            name = node[tag]
            if name in _NUMPY_TYPES:
                return _NUMPY_TYPES[name]
            if name in _BUILTIN_TYPES:
                return _BUILTIN_TYPES[name]
            raise self._bad(f"unknown type {name!r}")
        if tag == "__tuple__":
            return tuple(self.decode(v) for v in node[tag])
        if tag == "__slice__":
            start, stop, step = node[tag]
            if not all(v is None or type(v) is int for v in (start, stop, step)):
                raise self._bad("bad slice")
            return slice(start, stop, step)
        if tag == "__dict__":
            return {k: self.decode(v) for k, v in node[tag].items()}
        if tag == "__items__":
            return {self.decode(k): self.decode(v) for k, v in node[tag]}
        if tag == "__dataframe__":
            columns = {}
            for (name, values), dtype in zip(node[tag], node["dtypes"]):
                columns[self.decode(name)] = pd.Series(self.decode(values), dtype=dtype)
            frame = pd.DataFrame(columns)
            frame.index = self.decode(node["index"])
            return frame
        if tag == "__randomstate__":
            kind, keys, pos, has_gauss, gauss = node[tag]
            rs = np.random.RandomState()
            rs.set_state((kind, self.decode(keys), pos, has_gauss, self.decode(gauss)))
            return rs
        if tag == "__object__":
            return self._object(node)
        raise self._bad(f"unknown tag {tag!r}")

    def _compressed_tables(self, layouts):
        """The ``adapt_module`` that puts a file's compressed tables in place."""
        keys = {"num_embeddings", "embedding_dim", "n_rows", "bits", "indexed"}
        if not isinstance(layouts, dict) or not all(
            isinstance(v, dict) and set(v) == keys for v in layouts.values()
        ):
            raise self._bad("bad layout of its compressed tables")
        return lambda module: _put_compressed_tables(module, layouts, self._bad)

    def _declared_state(self, cls, name, node):
        """Parameters and declared fitted attributes of a model (format 2)."""
        params, fitted = node.get("params"), node.get("fitted")
        if not isinstance(params, dict) or not isinstance(fitted, dict):
            raise self._bad(f"the parameters or fitted state of {name} are missing")
        known = set(cls._get_param_names())
        unknown = sorted(set(params) - known)
        if unknown:
            raise self._bad(
                f"it gives {name} the parameters {unknown}, which it does not take; "
                "the file was written by another skfeat version: load it there and "
                "save it again with this one"
            )
        declared = set(getattr(cls, "__skfeat_fitted_state__", ()))
        extra = sorted(set(fitted) - declared)
        if extra:
            raise self._bad(
                f"it gives {name} the fitted attributes {extra}, which it does not "
                "declare; the file was written by another skfeat version: load it "
                "there and save it again with this one"
            )
        return {**params, **fitted}  # decoded by the caller

    def _numpy_type(self, name):
        if name not in _NUMPY_TYPES:
            raise self._bad(f"unknown numpy type {name!r}")
        return _NUMPY_TYPES[name]

    def _object(self, node):
        name = node["__object__"]
        cls = self._allowed.get(name)
        if cls is None:
            raise self._bad(
                f"it asks for class {name!r}, which is not a class skfeat.io loads "
                "(skfeat estimators and the scikit-learn helpers they use)"
            )
        if "params" in node:
            state = self._declared_state(cls, name, node)
        else:  # format 1: the object's attributes as they were
            state = node.get("state")
        if not isinstance(state, dict):
            raise self._bad(f"the state of {name} is missing")
        obj = object.__new__(cls)
        # attributes are set directly (as pickle does, but with no __reduce__ or
        # __setstate__ of the file's choosing): no constructor code runs
        vars(obj).update({k: self.decode(v) for k, v in state.items()})
        if "device" in _param_names(cls):
            # the device the file was saved on is mapped to the requested one
            # before any module is built (a "cuda" file loads on a CPU machine)
            obj.device = self.device
        for attr, value in list(vars(obj).items()):
            if isinstance(value, _PendingModule):
                rebuild = getattr(obj, "_rebuild_module", None)
                if rebuild is None:
                    raise self._bad(f"{name} holds a module it cannot rebuild")
                try:
                    check_weight_shapes(
                        lambda rebuild=rebuild, attr=attr: rebuild(attr),
                        value.weights,
                        name,
                    )
                except ValueError as exc:
                    raise self._bad(str(exc)) from None
                module = rebuild(attr)
                module.load_state_dict(value.weights)
                setattr(obj, attr, module)
        if "net" in node:
            net = node["net"]
            weights = {k: self._get(v) for k, v in net["module"].items()}
            optim = (
                None if net.get("optimizer") is None else self.decode(net["optimizer"])
            )
            restore = getattr(obj, "rebuild_net", None)
            if restore is None:
                raise self._bad(f"{name} holds weights but cannot restore them")
            adapt = None
            if net.get("compressed") is not None:
                adapt = self._compressed_tables(net["compressed"])
            try:
                # the weights' shapes are checked against the declared ones
                # before any module is built (a small file cannot declare huge
                # tables and have them allocated)
                restore(weights, optim, int(net["batch_size"]), adapt_module=adapt)
            except ValueError as exc:
                raise self._bad(str(exc)) from None
        return restore_bunches(obj)


def _put_compressed_tables(module, layouts, bad):
    """Replace the named embedding tables of ``module`` by empty compressed ones."""
    from skfeat.nn._compressed import CompressedEmbedding

    for name, layout in layouts.items():
        parent_name, _, attr = name.rpartition(".")
        parent = module.get_submodule(parent_name)
        old = getattr(parent, attr, None)
        if not isinstance(old, torch.nn.Embedding | CompressedEmbedding):
            raise bad(f"it compresses {name!r}, which is not an embedding table")
        if (old.num_embeddings, old.embedding_dim) != (
            layout["num_embeddings"],
            layout["embedding_dim"],
        ):
            raise bad(
                f"the compressed table {name!r} has another size than the "
                "table its model's parameters declare"
            )
        setattr(parent, attr, CompressedEmbedding.empty(**layout))
    return module


def _param_names(cls):
    get = getattr(cls, "_get_param_names", None)
    try:
        return set(get()) if get is not None else set()
    except (TypeError, RuntimeError):  # pragma: no cover - odd signatures
        return set()


def _versions():
    import skorch

    import skfeat

    return {
        "skfeat": skfeat.__version__,
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "skorch": skorch.__version__,
    }


def _require_safetensors():
    try:
        import safetensors.torch  # noqa: F401
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise ImportError(
            "skfeat.io needs the safetensors package: pip install safetensors"
        ) from exc


def save(estimator, path):
    """Save a fitted skfeat estimator to one safetensors file, without pickle.

    Weights (and optimizer state) and every numeric array are stored as tensors;
    the rest (parameters, class labels, vocabularies, the field schema, scaler
    statistics, library versions) as a JSON document in the file's header.
    :func:`load` reads it back without executing anything from the file.

    Parameters
    ----------
    estimator : estimator
        A skfeat estimator or transformer (fitted or not, compressed by
        :mod:`skfeat.compress` or not), or a scikit-learn ``Pipeline``,
        ``ColumnTransformer`` or ``FeatureUnion`` of them and scikit-learn's
        scalers, encoders and imputers, or a ``VotingClassifier``,
        ``VotingRegressor``, ``StackingClassifier`` or ``StackingRegressor`` of
        such estimators (a stacking ensemble with its default final estimator,
        ``LogisticRegression`` or ``RidgeCV``). Anything that holds code or another
        object (``callbacks``, classes in ``net_params``, a ``FunctionTransformer``
        of a function, another estimator) cannot be saved safely and raises a
        ``TypeError`` that names it.
    path : str or path-like
        File to write (conventionally ending in ``.safetensors``).

    See Also
    --------
    load : Read a file written by ``save``.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from skfeat.io import load, save
    >>> from skfeat.models import FMClassifier
    >>> X = np.random.RandomState(0).normal(size=(100, 3))
    >>> clf = FMClassifier(max_epochs=2, random_state=0).fit(X, X[:, 0] > 0)
    >>> path = os.path.join(tempfile.mkdtemp(), "fm.safetensors")
    >>> save(clf, path)
    >>> np.array_equal(load(path).predict_proba(X), clf.predict_proba(X))
    True
    """
    _require_safetensors()
    from safetensors.torch import save_file

    writer = _Writer()
    root = writer.encode(estimator)
    if not (isinstance(root, dict) and "__object__" in root):
        raise TypeError(
            f"skfeat.io.save saves estimators, got {type(estimator).__name__}."
        )
    header = {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "digest": {"algorithm": _DIGEST, "tensors": _tensor_digest(writer.tensors)},
        "root": root,
    }
    save_file(writer.tensors, str(path), metadata={"skfeat": json.dumps(header)})


def load(path, *, device="cpu"):
    """Load an estimator written by :func:`save`.

    Nothing in the file is executed or unpickled: the JSON header is parsed, the
    tensors are read by safetensors (on the CPU), and objects are rebuilt only
    from an allow-list of classes. A file that is not a skfeat model file, is
    truncated, holds no estimator, names a class outside the allow-list, declares
    weight shapes its tensors do not have (checked before any module is built),
    or whose tensors differ from the SHA-256 digest in its header (altered or
    corrupted weights) raises a ``ValueError``. Files written before the digest
    existed have none and load unchecked; the digest is no signature against
    someone who rewrites the whole file.

    Parameters
    ----------
    path : str or path-like
        File written by :func:`skfeat.io.save`.
    device : str, default="cpu"
        Device the weights are loaded to; it becomes the ``device`` of every
        model in the file, whatever device it was saved with (a model saved
        with ``device="cuda"`` loads on a CPU-only machine).

    Returns
    -------
    estimator : estimator
        The fitted estimator, ready to predict.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from skfeat.io import load, save
    >>> from skfeat.models import DeepFMRegressor
    >>> X = np.random.RandomState(0).normal(size=(100, 3))
    >>> reg = DeepFMRegressor(hidden_units=(8,), max_epochs=2, random_state=0)
    >>> reg = reg.fit(X, X[:, 0] * X[:, 1])
    >>> path = os.path.join(tempfile.mkdtemp(), "deepfm.safetensors")
    >>> save(reg, path)
    >>> np.array_equal(load(path).predict(X), reg.predict(X))
    True
    """
    _require_safetensors()
    from safetensors import SafetensorError, safe_open

    from skfeat.utils._validation import check_device

    check_device(device)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {str(path)!r}")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, RuntimeError, ValueError) as exc:
        raise ValueError(
            f"{path} is not a valid skfeat model file (it is not a readable "
            f"safetensors file: {exc})."
        ) from None
    try:
        header = json.loads(metadata["skfeat"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"{path} is not a valid skfeat model file: its header has no skfeat "
            "JSON document."
        ) from None
    if not isinstance(header, dict) or header.get("format") != _FORMAT_NAME:
        raise ValueError(f"{path} is not a valid skfeat model file: unknown format.")
    version = header.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{path} is not a valid skfeat model file: bad version.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written in skfeat file format {version}, newer than this "
            f"skfeat understands ({FORMAT_VERSION}); upgrade skfeat to load it."
        )
    saved = header.get("versions", {})
    if isinstance(saved, dict) and saved.get("scikit-learn") != sklearn.__version__:
        warnings.warn(
            f"{path} was saved with scikit-learn {saved.get('scikit-learn')} and is "
            f"loaded with {sklearn.__version__}; the encoders it holds may behave "
            "differently. Check its predictions.",
            UserWarning,
            stacklevel=2,
        )
    _check_digest(header, tensors, path)
    root = header.get("root")
    if not (isinstance(root, dict) and "__object__" in root):
        raise ValueError(
            f"{path} is not a valid skfeat model file: it holds no estimator "
            "(its header has no 'root' object)."
        )
    reader = _Reader(tensors, path, device=str(device))
    try:
        estimator = reader.decode(root)
    except ValueError:
        raise
    except (KeyError, TypeError, IndexError, AttributeError, RuntimeError) as exc:
        raise ValueError(
            f"{path} is not a valid skfeat model file: its content is inconsistent "
            f"({type(exc).__name__}: {exc})."
        ) from None
    return estimator


def _check_digest(header, tensors, path):
    """Refuse a file whose tensors differ from the digest its header records."""
    if "digest" not in header:  # format 1 and early format 2: no digest
        return
    digest = header["digest"]
    if (
        not isinstance(digest, dict)
        or digest.get("algorithm") != _DIGEST
        or not isinstance(digest.get("tensors"), str)
    ):
        raise ValueError(f"{path} is not a valid skfeat model file: bad digest.")
    if _tensor_digest(tensors) != digest["tensors"]:
        raise ValueError(
            f"{path} was altered after it was saved: its tensors (weights and "
            "arrays) do not match the SHA-256 digest recorded in its header. "
            "Use an intact copy of the file."
        )
