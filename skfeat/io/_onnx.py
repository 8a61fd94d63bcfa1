"""ONNX export: one graph from the raw input columns to the model's output.

:func:`export_onnx` writes the fitted field encoding as ONNX operators in front of
the network, which the torch exporter (``torch.onnx.export(..., dynamo=True)``)
translates. The graph computes what ``predict_proba`` (classifiers) or
``predict`` (regressors) computes, in the same precision:

* a categorical field's vocabulary is an ``ai.onnx.ml.LabelEncoder`` from its
  categories to their ids; a value never seen in ``fit`` gets the unknown id and
  a missing value the missing id, as in :mod:`skfeat._fields._ids`;
  ``min_frequency``'s shared id is in the table;
* a numeric or vector column is standardised in float64 with the fitted mean and
  scale, a missing value (NaN) becomes 0, the result is clipped to
  ``MAX_ABS_MODEL_INPUT`` and cast to float32;
* a binned column (``numeric_bins``) is first replaced by the number of fitted
  bin edges at or below it, as ``numpy.searchsorted(edges, x, side="right")``;
* the network's output becomes probabilities (sigmoid or softmax in float64) and
  labels, or a regressor's prediction in the target's units.

Hashed categories (``categorical_encoding="hash"``) hash the UTF-8 text of a value
with SipHash-2-4, which no ONNX operator can express: such a model raises a
``ValueError`` rather than export a graph that differs.

``onnx`` and ``onnxscript`` are needed to export (the ``skfeat[onnx]`` extra);
the written file needs only an ONNX runtime.
"""

import copy
import json
import logging
import os
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from skfeat._fields._values import _convert, _missing_mask
from skfeat.utils._sklearn_compat import HasMethods, StrOptions, validate_params
from skfeat.utils._validation import MAX_ABS_MODEL_INPUT

#: default ONNX operator set of the exported graphs
ONNX_OPSET = 20
#: ``ai.onnx.ml`` operator set (``LabelEncoder`` with typed key and value tensors)
_ML_OPSET = 4
#: integers beyond this lose their exact value as float64 inputs
_EXACT_INT = 2**53
_PREFIX = "net/"
_INSTALL = 'pip install "skfeat[onnx]" torch==<your torch version>'


def _require_onnx():
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"export_onnx needs the onnx and onnxscript packages ({exc.name} is "
            f"missing); install the optional extra: {_INSTALL}"
        ) from exc


@validate_params(
    {
        "model": [HasMethods(["fit"])],
        "path": [str, os.PathLike],
        "missing_string": [str],
        "vector_inputs": [StrOptions({"columns", "fields"})],
        "encoding": ["boolean"],
        "precision": [StrOptions({"float64", "float32"})],
    },
    prefer_skip_nested_validation=True,
)
def export_onnx(
    model,
    path,
    *,
    missing_string="",
    vector_inputs="columns",
    encoding=True,
    precision="float64",
):
    """Write a fitted field model as one ONNX graph, raw columns to output.

    The graph takes one input per input column, named after it (``x0``,
    ``x1``, ... for a model fitted on an array), each a 1-D tensor whose length
    is the batch size: ``string`` for a categorical column whose categories are
    text, ``double`` for every other column (numbers, including integer codes,
    booleans and binned columns; NaN is a missing value). Its outputs are
    ``label`` and ``probabilities`` (float64, ``(n, n_classes)``, as
    ``predict`` and ``predict_proba``) for a classifier and ``prediction``
    (float64, ``(n,)``) for a regressor. The vocabulary, scaling and bins are
    constants of the graph, so the file holds everything needed to serve the
    model: an ONNX runtime, without torch or skfeat, reads it.

    Parameters
    ----------
    model : fitted field model
        A skfeat field model (FM family, DNN, Wide & Deep, DeepFM, DCN, AutoInt,
        FinalMLP, Fi-GNN, the supervised VAE, DCNv3, FinalNet) fitted on a
        DataFrame or a dense array.
    path : str or path-like
        File to write (conventionally ending in ``.onnx``).
    missing_string : str, default=""
        The value that stands for a missing value in a ``string`` input (ONNX
        string tensors have no missing value). A model whose vocabulary holds
        this string raises a ``ValueError``; choose another marker then.
    vector_inputs : {"columns", "fields"}, default="columns"
        How vector fields (``vector_features``) are fed: one ``double`` input per
        column, or one ``double`` input of shape ``(n, length)`` per vector
        field, named after the field.
    encoding : bool, default=True
        Whether the graph starts from the raw columns. With False it starts
        from the encoded inputs :meth:`~skfeat.models.BaseFieldModel.encode_inputs`
        returns (``cat``, ``num`` and, with vector fields, ``vec``), for an
        encoding done elsewhere.
    precision : {"float64", "float32"}, default="float64"
        Precision of the deep networks' layers after the embeddings.
        ``"float64"`` computes what ``predict_proba`` computes (the deep models
        evaluate in float64); ``"float32"`` takes about half the time for
        large requests and differs from it by about 1e-7. Embeddings and the
        FM family compute in float32 either way.

    Returns
    -------
    onnx_model : onnx.ModelProto
        The graph that was written.

    Raises
    ------
    ValueError
        If an option of the model's encoding cannot be expressed exactly in
        ONNX (``categorical_encoding="hash"``; a vocabulary that holds
        ``missing_string``, mixes text and numbers, or holds integers beyond
        2**53); the message names it.
    TypeError
        If the model was fitted on sparse (libFM-style) input, or is not a
        field model.
    ImportError
        If ``onnx`` or ``onnxscript`` is not installed.

    See Also
    --------
    onnx_inputs : The inputs of an exported graph for a DataFrame or array.

    Notes
    -----
    Values that ``predict`` refuses (infinity, numbers beyond float32's range)
    are clipped like any other large value in the graph instead, and the
    warning that ``predict`` gives for clipped values has no counterpart. A
    categorical column whose categories are text takes text: pass integer ids
    of such a column as strings (:func:`onnx_inputs` does). The batch size is
    dynamic.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import pandas as pd
    >>> import onnxruntime as ort
    >>> from skfeat.io import export_onnx, onnx_inputs
    >>> from skfeat.models import FMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"city": rng.choice(["a", "b", "c"], 200),
    ...                   "age": rng.normal(40, 10, 200)})
    >>> y = (X["city"] == "a") ^ (X["age"] > 40)
    >>> clf = FMClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "fm.onnx")
    >>> _ = export_onnx(clf, path)
    >>> runtime = ort.InferenceSession(path)
    >>> [(i.name, i.type) for i in runtime.get_inputs()]
    [('city', 'tensor(string)'), ('age', 'tensor(double)')]
    >>> new = pd.DataFrame({"city": ["a", "zz", None], "age": [35.0, np.nan, 50.0]})
    >>> label, proba = runtime.run(None, onnx_inputs(path, new))
    >>> bool(np.abs(proba - clf.predict_proba(new)).max() < 1e-6)
    True
    """
    _require_onnx()
    import onnx

    _check_model(model)
    encoder = model.encoder_
    layout = _Layout(encoder, missing_string, vector_inputs) if encoding else None
    network = _export_network(model, getattr(torch, precision))
    onnx_model = _assemble(model, network, layout)
    onnx.checker.check_model(onnx_model)
    onnx.save_model(onnx_model, str(path))
    return onnx_model


@validate_params(
    {
        "onnx_model": [
            str,
            os.PathLike,
            HasMethods(["SerializeToString"]),
            HasMethods(["get_modelmeta", "get_inputs"]),
        ],
        "X": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def onnx_inputs(onnx_model, X):
    """Return the inputs of an exported graph for the rows of ``X``.

    Each input column becomes the array the graph expects: text (a NumPy
    ``str`` array, with missing values replaced by the graph's
    ``missing_string`` and integer values written as text, as ``predict``
    matches them) or float64 (NaN for missing values). Columns are found by
    name in a DataFrame, by position in an array.

    Parameters
    ----------
    onnx_model : onnx.ModelProto, onnxruntime.InferenceSession, str or path-like
        A graph written by :func:`export_onnx` from the raw columns, its file,
        or the ``InferenceSession`` that runs it. Given a file, it is read on
        every call: a serving loop passes its ``InferenceSession`` (or the model
        loaded once).
    X : {DataFrame, array-like} of shape (n_samples, n_features)
        Rows laid out as the model's training data.

    Returns
    -------
    inputs : dict of str to ndarray
        One array per graph input, for ``InferenceSession.run(None, inputs)``.

    See Also
    --------
    export_onnx : Write the graph.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skfeat.io import export_onnx, onnx_inputs
    >>> from skfeat.models import FMRegressor
    >>> X = np.random.RandomState(0).normal(size=(50, 2))
    >>> reg = FMRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "fm.onnx")
    >>> _ = export_onnx(reg, path)
    >>> {name: a.dtype for name, a in onnx_inputs(path, X[:3]).items()}
    {'x0': dtype('float64'), 'x1': dtype('float64')}
    """
    _require_onnx()
    import onnx

    if hasattr(onnx_model, "get_modelmeta"):  # an onnxruntime.InferenceSession
        meta = dict(onnx_model.get_modelmeta().custom_metadata_map)
        graph_inputs = [(i.name, i.type == "tensor(string)")
                        for i in onnx_model.get_inputs()]  # fmt: skip
    else:
        if not isinstance(onnx_model, onnx.ModelProto):
            onnx_model = onnx.load_model(str(onnx_model), load_external_data=False)
        meta = {p.key: p.value for p in onnx_model.metadata_props}
        graph_inputs = [
            (i.name, i.type.tensor_type.elem_type == onnx.TensorProto.STRING)
            for i in onnx_model.graph.input
        ]
    if "skfeat.columns" not in meta:
        raise ValueError(
            "This graph does not start from the raw columns (it was not written "
            "by export_onnx with encoding=True)."
        )
    columns = json.loads(meta["skfeat.columns"])
    vector_fields = json.loads(meta.get("skfeat.vector_fields", "{}"))
    missing_string = meta.get("skfeat.missing_string", "")
    if not hasattr(X, "iloc"):
        X = pd.DataFrame(np.asarray(X, dtype=object), columns=columns)
    elif hasattr(X, "columns") and not all(isinstance(c, str) for c in X.columns):
        X = X.set_axis(columns, axis=1)
    out = {}
    for name, is_text in graph_inputs:
        if name in vector_fields:
            out[name] = np.column_stack(
                [_as_double(X[c], c) for c in vector_fields[name]]
            )
        elif is_text:
            out[name] = _as_text(X[name], name, missing_string)
        else:
            out[name] = _as_double(X[name], name)
    return out


def _as_double(col, name):
    try:
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        values = col.to_numpy(dtype=object)
        missing = _missing_mask(values)
        converted = _convert(values[~missing], "integer")
        if converted is None:
            raise ValueError(
                f"Column {name!r} is a double input of the graph but holds values "
                "that are not numbers."
            ) from None
        out = np.full(len(values), np.nan)
        out[~missing] = np.asarray(converted, dtype=np.float64)
        return out


def _as_text(col, name, missing_string):
    values = col.to_numpy(dtype=object)
    missing = _missing_mask(values)
    present = values[~missing]
    if not all(isinstance(v, str) for v in present.tolist()):
        converted = _convert(present, "string")
        if converted is None:
            raise ValueError(
                f"Column {name!r} is a string input of the graph but holds values "
                "that cannot be written as text one to one."
            )
        present = converted
    out = np.full(len(values), missing_string, dtype=object)
    out[~missing] = present
    # fixed-width text: onnxruntime reads it faster than Python strings made by
    # pandas (2.1 ms against 6 ms for 10 columns of 2,048 rows)
    return out.astype(np.str_)


# ------------------------------------------------------------------- checks
def _check_model(model):
    if not hasattr(model, "encode_inputs") or not hasattr(model, "net_"):
        check_is_fitted(model)
        raise TypeError(
            f"export_onnx exports skfeat field models; got {type(model).__name__}."
        )
    check_is_fitted(model)
    if model.input_kind_ != "fields":
        raise TypeError(
            f"{type(model).__name__} was fitted on sparse (libFM-style) input; "
            "export_onnx exports models fitted on a DataFrame or a dense array, "
            "one column per field."
        )
    encoder = model.encoder_
    bags = getattr(encoder, "bag_groups", None)
    if bags:
        raise ValueError(
            f"{type(model).__name__} has multi-value column(s) "
            f"{[b['name'] for b in bags]} (multi_value_features), which export_onnx "
            "does not export: splitting a cell into a bag of ids has no ONNX "
            "equivalent here. Serve this model with predict_proba."
        )
    if getattr(encoder, "encoding", "vocabulary") == "hash":
        raise ValueError(
            'categorical_encoding="hash" cannot be exported to ONNX: the ids hash '
            "each value's UTF-8 text with SipHash-2-4, which no ONNX operator "
            'computes. Fit with categorical_encoding="vocabulary" to export.'
        )
    kinds = np.asarray(getattr(model, "feature_kinds_", []), dtype=object)
    if np.any(kinds == "binned numeric") and encoder.binner_ is None:
        raise ValueError(
            f"{type(model).__name__} bins its numeric_bins columns outside its "
            "field encoder, which export_onnx does not read; refit the model to "
            "export it."
        )
    for scaler in (encoder.scaler_, encoder.vector_scaler_):
        if scaler is not None and not (scaler.with_mean and scaler.with_std):
            raise ValueError(
                "export_onnx exports standardised numeric columns "
                "(StandardScaler with with_mean=True and with_std=True)."
            )


# ----------------------------------------------------------- graph building
class _Builder:
    """Nodes and constants of a graph under construction, with fresh names."""

    def __init__(self):
        from onnx import helper, numpy_helper

        self._helper = helper
        self._numpy_helper = numpy_helper
        self.nodes = []
        self.initializers = []
        self._count = 0

    def fresh(self, stem):
        self._count += 1
        return f"skfeat/{stem}_{self._count}"

    def const(self, value, stem="const"):
        name = self.fresh(stem)
        self.initializers.append(self._numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, inputs, *, out=None, domain=None, **attrs):
        out = out or self.fresh(op_type.lower())
        self.nodes.append(
            self._helper.make_node(
                op_type,
                list(inputs),
                [out],
                name=self.fresh(op_type),
                domain=domain,
                **attrs,
            )
        )
        return out


class _Layout:
    """What the encoding graph reads: the fitted encoder's tables and columns."""

    def __init__(self, encoder, missing_string, vector_inputs):
        names = list(encoder.names)
        categorical = np.asarray(encoder.categorical, dtype=bool)
        groups = list(getattr(encoder, "vector_groups", None) or [])
        in_vector = np.zeros(len(names), dtype=bool)
        for _, cols in groups:
            in_vector[list(cols)] = True
        self.names = names
        self.cat_cols = np.flatnonzero(categorical & ~in_vector)
        self.num_cols = np.flatnonzero(~categorical & ~in_vector)
        self.groups = [(name, [int(c) for c in cols]) for name, cols in groups]
        self.vector_inputs = vector_inputs
        self.missing_string = missing_string
        self.encoder = encoder
        binner = getattr(encoder, "binner_", None)
        self.edges = {}
        if binner is not None:
            for j, edges in zip(binner.columns, binner.edges_):
                self.edges[int(j)] = np.asarray(edges, dtype=np.float64)
        self.tables = encoder.category_ids()
        if len(self.tables) != len(self.cat_cols):  # pragma: no cover - invariant
            raise ValueError("The encoder's vocabularies do not match its columns.")
        self.text = [self._is_text(i) for i in range(len(self.cat_cols))]
        if vector_inputs == "fields":
            clash = {name for name, _ in self.groups} & set(names)
            if clash:
                raise ValueError(
                    f"Vector field(s) {sorted(clash)} share their name with an input "
                    'column; use vector_inputs="columns".'
                )

    def _is_text(self, i):
        j = self.cat_cols[i]
        name = self.names[j]
        categories = self.tables[i][0]
        if j in self.edges:
            return False
        values = categories.tolist()
        text = [isinstance(v, str) for v in values]
        if all(text) and values:
            if self.missing_string in values:
                raise ValueError(
                    f"Categorical column {name!r} holds the category "
                    f"{self.missing_string!r}, which missing_string uses for "
                    "missing values in the graph; pass another missing_string."
                )
            return True
        if any(text):  # pragma: no cover - the encoder refuses mixed columns
            raise ValueError(
                f"Categorical column {name!r} mixes text and numbers; it cannot be "
                "one ONNX input."
            )
        for v in values:
            if not isinstance(v, int | float | np.integer | np.floating | np.bool_):
                raise ValueError(
                    f"Categorical column {name!r} holds {type(v).__name__} "
                    f"categories (for example {v!r}), which an ONNX input cannot "
                    "hold; only text and numbers can be exported."
                )
            if isinstance(v, int | np.integer) and abs(int(v)) > _EXACT_INT:
                raise ValueError(
                    f"Categorical column {name!r} holds the integer category {v}, "
                    "beyond 2**53: a double input of the graph cannot hold it "
                    "exactly. Map the ids to smaller integers or to text first."
                )
        return False

    def graph_inputs(self):
        """``(name, elem_type, shape)`` of every input, in column order."""
        from onnx import TensorProto

        out = []
        text = dict(zip(self.cat_cols.tolist(), self.text))
        first_of_field = {cols[0]: (name, cols) for name, cols in self.groups}
        in_vector = {c for _, cols in self.groups for c in cols}
        for j, name in enumerate(self.names):
            if j in in_vector and self.vector_inputs == "fields":
                if j in first_of_field:
                    field, cols = first_of_field[j]
                    out.append((field, TensorProto.DOUBLE, ["batch", len(cols)]))
                continue
            elem = TensorProto.STRING if text.get(j, False) else TensorProto.DOUBLE
            out.append((name, elem, ["batch"]))
        return out

    def build(self, g, outputs):
        """Add the encoding nodes to ``g``, writing the tensors named in
        ``outputs`` (keys ``"cat"``, ``"num"``, ``"vec"``)."""
        first = self.graph_inputs()[0][0]
        if "cat" in outputs:
            self._categorical(g, first, outputs["cat"])
        if "num" in outputs:
            columns = [self.names[j] for j in self.num_cols]
            x = _side_by_side(g, columns) if columns else None
            self._standardised(g, first, x, self.encoder.scaler_, outputs["num"])
        if "vec" in outputs:
            if self.vector_inputs == "fields":
                x = _concat(g, [name for name, _ in self.groups])
            else:
                columns = [self.names[c] for _, cols in self.groups for c in cols]
                x = _side_by_side(g, columns)
            self._standardised(g, first, x, self.encoder.vector_scaler_, outputs["vec"])

    def _categorical(self, g, first, out):
        if not len(self.cat_cols):
            _empty(g, first, np.int64, out)
            return
        parts = []
        for i, j in enumerate(self.cat_cols):
            categories, ids, missing_id, unknown_id = self.tables[i]
            x = self.names[j]
            if self.text[i]:
                keys = np.append(categories.astype(object), self.missing_string)
                values = np.append(ids, missing_id).astype(np.int64)
                code = _label_encoder(g, x, keys.astype(object), values, unknown_id)
            else:
                if j in self.edges:
                    x = _bin(g, x, self.edges[j])
                else:
                    x = g.op("Add", [x, g.const(np.float64(0.0))])  # -0.0 -> 0.0
                if len(categories):
                    keys = np.array([float(v) for v in categories], dtype=np.float64)
                    code = _label_encoder(g, x, keys, ids, unknown_id)
                else:
                    code = g.op(
                        "Expand",
                        [g.const(np.int64(unknown_id)), g.op("Shape", [x])],
                    )
                code = g.op(
                    "Where",
                    [g.op("IsNaN", [x]), g.const(np.int64(missing_id)), code],
                )
            parts.append(code)
        _side_by_side(g, parts, out)

    def _standardised(self, g, first, x, scaler, out):
        if x is None:
            _empty(g, first, np.float32, out)
            return
        x = g.op("Sub", [x, g.const(np.asarray(scaler.mean_, dtype=np.float64))])
        x = g.op("Div", [x, g.const(np.asarray(scaler.scale_, dtype=np.float64))])
        x = g.op("Where", [g.op("IsNaN", [x]), g.const(np.float64(0.0)), x])
        limit = float(MAX_ABS_MODEL_INPUT)
        x = g.op("Clip", [x, g.const(np.float64(-limit)), g.const(np.float64(limit))])
        from onnx import TensorProto

        g.op("Cast", [x], out=out, to=TensorProto.FLOAT)


def _label_encoder(g, x, keys, values, default):
    from onnx import numpy_helper

    return g.op(
        "LabelEncoder",
        [x],
        domain="ai.onnx.ml",
        keys_tensor=numpy_helper.from_array(keys),
        values_tensor=numpy_helper.from_array(np.asarray(values, dtype=np.int64)),
        default_tensor=numpy_helper.from_array(np.array([default], dtype=np.int64)),
    )


def _bin(g, x, edges):
    """``searchsorted(edges, x, side="right")`` as float64, NaN kept."""
    if edges.size == 0:
        return g.op("Mul", [x, g.const(np.float64(0.0))])  # 0, NaN stays NaN
    column = g.op("Unsqueeze", [x, g.const(np.array([1], np.int64))])
    below = g.op("LessOrEqual", [g.const(edges.reshape(1, -1)), column])
    from onnx import TensorProto

    count = g.op(
        "ReduceSum",
        [g.op("Cast", [below], to=TensorProto.DOUBLE), g.const(np.array([1]))],
        keepdims=0,
    )
    return g.op("Where", [g.op("IsNaN", [x]), x, count])


def _side_by_side(g, columns, out=None):
    """1-D tensors of one length ``n`` as the columns of an ``(n, k)`` tensor.

    One concatenation and a transpose: a copy per column (``Unsqueeze``) costs
    more at serving batch sizes.
    """
    if len(columns) == 1:
        axis = g.const(np.array([1], np.int64))
        return g.op("Unsqueeze", [columns[0], axis], out=out)
    flat = g.op("Concat", list(columns), axis=0)
    shape = g.const(np.array([len(columns), -1], np.int64))
    return g.op("Transpose", [g.op("Reshape", [flat, shape])], out=out, perm=[1, 0])


def _concat(g, parts, out=None):
    if len(parts) == 1:
        return g.op("Identity", parts, out=out)
    return g.op("Concat", parts, out=out, axis=1)


def _empty(g, first, dtype, out):
    """A ``(n, 0)`` tensor of ``dtype``, ``n`` the batch size of input ``first``."""
    from onnx import numpy_helper

    n = g.op("Shape", [first], start=0, end=1)
    shape = g.op("Concat", [n, g.const(np.array([0], np.int64))], axis=0)
    g.op(
        "ConstantOfShape",
        [shape],
        out=out,
        value=numpy_helper.from_array(np.zeros(1, dtype=dtype)),
    )


# ------------------------------------------------------------------ network
class _Network(torch.nn.Module):
    """The fitted module with the encoded inputs as positional arguments."""

    def __init__(self, module, with_vector):
        super().__init__()
        self.module = module
        self.with_vector = with_vector

    def forward(self, cat, num, vec=None):
        if self.with_vector:
            return self.module(cat, num, vec)
        return self.module(cat, num)


@contextmanager
def _quiet_exporter():
    """Silence the exporter's progress and environment messages."""
    names = ("torch.onnx", "torch.export", "torch._export", "onnxscript", "onnx_ir")
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _export_network(model, dtype):
    """The module as an ONNX model with inputs ``cat``, ``num`` (and ``vec``)
    and output ``logits`` (as the module computes them in eval mode)."""
    schema = model.schema_
    n_cat = int(np.sum(np.asarray(schema.categorical, dtype=bool)))
    n_num = int(schema.n_numeric)
    vector_dims = tuple(schema.vector_dims or ())
    module = copy.deepcopy(model.net_.module_).cpu().eval()
    network = _Network(module, bool(vector_dims)).eval()
    batch = 3
    args = [
        torch.zeros((batch, n_cat), dtype=torch.int64),
        torch.zeros((batch, n_num), dtype=torch.float32),
    ]
    names = ["cat", "num"]
    if vector_dims:
        args.append(torch.zeros((batch, sum(vector_dims)), dtype=torch.float32))
        names.append("vec")
    dim = torch.export.Dim("batch")
    dynamic = {name: {0: dim} for name in names}
    from skfeat.nn._mlp import eval_precision

    with _quiet_exporter(), torch.no_grad(), eval_precision(dtype):
        program = torch.onnx.export(
            network,
            tuple(args),
            dynamo=True,
            input_names=names,
            output_names=["logits"],
            dynamic_shapes=dynamic,
            opset_version=ONNX_OPSET,
            verbose=False,
            optimize=True,
        )
    return _without_leaky_relu(program.model_proto)


def _without_leaky_relu(network):
    """``LeakyRelu`` nodes written as ``Where(x < 0, alpha * x, x)``.

    onnxruntime implements ``LeakyRelu`` for float32 only, and the deep modules
    evaluate in float64; the rewrite computes the same numbers in any dtype.
    """
    from onnx import helper

    graphs = [network.graph.node] + [f.node for f in network.functions]
    for nodes in graphs:
        rewritten = []
        for node in nodes:
            if node.op_type != "LeakyRelu" or node.domain not in ("", "ai.onnx"):
                rewritten.append(node)
                continue
            alpha = next((a.f for a in node.attribute if a.name == "alpha"), 0.01)
            x, (y,) = node.input[0], node.output
            stem = f"{node.name or y}/leaky"
            rewritten += [
                helper.make_node(
                    "Constant", [], [stem + "_a"], value_float=float(alpha)
                ),
                helper.make_node("Constant", [], [stem + "_0"], value_float=0.0),
                helper.make_node("CastLike", [stem + "_a", x], [stem + "_at"]),
                helper.make_node("CastLike", [stem + "_0", x], [stem + "_0t"]),
                helper.make_node("Mul", [x, stem + "_at"], [stem + "_ax"]),
                helper.make_node("Less", [x, stem + "_0t"], [stem + "_neg"]),
                helper.make_node("Where", [stem + "_neg", stem + "_ax", x], [y]),
            ]
        del nodes[:]
        nodes.extend(rewritten)
    return network


def _assemble(model, network, layout):
    """The whole graph: encoding (when ``layout``), network, outputs."""
    import onnx
    from onnx import helper

    network = onnx.compose.add_prefix(network, _PREFIX)
    net_inputs = {i.name[len(_PREFIX):]: i for i in network.graph.input}  # fmt: skip
    g = _Builder()
    metadata = {"skfeat.estimator": type(model).__name__}
    if layout is not None:
        inputs = [
            helper.make_tensor_value_info(name, elem, shape)
            for name, elem, shape in layout.graph_inputs()
        ]
        layout.build(g, {k: _PREFIX + k for k in net_inputs})
        metadata["skfeat.columns"] = json.dumps(layout.names)
        metadata["skfeat.missing_string"] = layout.missing_string
        if layout.vector_inputs == "fields" and layout.groups:
            metadata["skfeat.vector_fields"] = json.dumps(
                {name: [layout.names[c] for c in cols] for name, cols in layout.groups}
            )
    else:
        inputs = []
        for name, value_info in net_inputs.items():
            value_info = copy.deepcopy(value_info)
            value_info.name = name
            inputs.append(value_info)
            g.op("Identity", [name], out=_PREFIX + name)
    logits = _PREFIX + "logits"
    outputs = _outputs(model, g, logits)
    from skfeat import __version__

    metadata["skfeat.version"] = __version__
    graph = helper.make_graph(
        g.nodes[: len(g.nodes) - outputs.n_nodes]
        + list(network.graph.node)
        + g.nodes[len(g.nodes) - outputs.n_nodes :],
        "skfeat",
        inputs,
        outputs.value_infos,
        initializer=g.initializers + list(network.graph.initializer),
        value_info=list(network.graph.value_info),
    )
    opsets = {o.domain: o.version for o in network.opset_import}
    opsets["ai.onnx.ml"] = max(opsets.get("ai.onnx.ml", 0), _ML_OPSET)
    out = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()],
        functions=list(network.functions),
        producer_name="skfeat",
        producer_version=__version__,
    )
    out.ir_version = network.ir_version
    helper.set_model_props(out, metadata)
    return out


class _Outputs:
    def __init__(self, value_infos, n_nodes):
        self.value_infos = value_infos
        self.n_nodes = n_nodes


def _outputs(model, g, logits):
    """Nodes from the module's output to the model's outputs."""
    from onnx import TensorProto, helper

    start = len(g.nodes)
    scores = g.op("Cast", [logits], to=TensorProto.DOUBLE)
    if not is_classifier(model):
        scale, shift = model.output_scale()
        y = g.op("Mul", [scores, g.const(np.float64(scale))])
        g.op("Add", [y, g.const(np.float64(shift))], out="prediction")
        infos = [helper.make_tensor_value_info("prediction", TensorProto.DOUBLE,
                                               ["batch"])]  # fmt: skip
        return _Outputs(infos, len(g.nodes) - start)
    classes = np.asarray(model.classes_)
    if classes.dtype.kind in "iu":
        label_values, label_type = classes.astype(np.int64), TensorProto.INT64
    elif classes.dtype.kind == "f":
        label_values, label_type = classes.astype(np.float64), TensorProto.DOUBLE
    elif classes.dtype.kind == "b":
        label_values, label_type = classes.astype(bool), TensorProto.BOOL
    elif all(isinstance(c, str) for c in classes.tolist()):
        label_values, label_type = classes.astype(object), TensorProto.STRING
    else:
        raise ValueError(
            f"The classes of {type(model).__name__} ({classes.tolist()!r}) are "
            "neither numbers nor text, which an ONNX output cannot hold."
        )
    if len(classes) == 2:
        p = g.op("Sigmoid", [scores])
        one = g.op("Sub", [g.const(np.float64(1.0)), p])
        axis = g.const(np.array([1], np.int64))
        g.op(
            "Concat",
            [g.op("Unsqueeze", [one, axis]), g.op("Unsqueeze", [p, axis])],
            out="probabilities",
            axis=1,
        )
        index = g.op(
            "Cast", [g.op("Greater", [scores, g.const(np.float64(0.0))])],
            to=TensorProto.INT64,
        )  # fmt: skip
    else:
        g.op("Softmax", [scores], out="probabilities", axis=1)
        index = g.op("ArgMax", [scores], axis=1, keepdims=0)
    g.op("Gather", [g.const(label_values, "classes"), index], out="label", axis=0)
    infos = [
        helper.make_tensor_value_info("label", label_type, ["batch"]),
        helper.make_tensor_value_info(
            "probabilities", TensorProto.DOUBLE, ["batch", len(classes)]
        ),
    ]
    return _Outputs(infos, len(g.nodes) - start)
