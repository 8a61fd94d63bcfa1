"""Exact explanations through pipelines whose preprocessing acts column by column.

A ``Pipeline`` ``prep -> model`` where every output column of ``prep`` is a
function of one raw input column (its *owner*) keeps the interventional game of
the raw columns second order when ``model`` is: replacing raw column ``c`` by a
background value replaces exactly the transformed columns that ``c`` owns, by
the transform of the same background row. So the game whose players are the raw
columns is the game of the transformed columns with the columns of each owner
played together, and its Möbius coefficients are block sums of the field-level
ones. For an FM-type model that coarsened game is again an FM-type
decomposition:

* the embedding of raw column ``c`` is ``sum_{j in G_c} e_j`` (one active
  one-hot column's vector for a ``OneHotEncoder``);
* its first-order term is ``sum_{j in G_c} g_j`` plus the pairs inside the
  group, ``sum_{j<l in G_c} r_jl <e_j, e_l>``, which depend on ``c`` alone;
* the pair weight of raw columns ``c != d`` is the weight ``r_jl`` shared by all
  ``j in G_c, l in G_d`` (always so for an FM). Where the weights differ inside
  a block (an FwFM on one-hot output) a factor of the weight matrix lifts the
  embeddings to size ``m' k`` so that the pair terms are again plain inner
  products (:meth:`_PipelineDecomposer._lifted`), still exactly.

:func:`pipeline_decomposer` finds the owners from the fitted steps (a list of
transformers known to act column by column), checks them on the background by
mixing rows column by column, and returns an object with the model's
``decompose`` protocol on raw input; or ``None`` and the reason, and the
explainer then samples.
"""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from skfeat.models import Decomposition

# transformers whose output column k is a function of input column k alone
_ONE_TO_ONE = {
    "StandardScaler",
    "MinMaxScaler",
    "MaxAbsScaler",
    "RobustScaler",
    "OrdinalEncoder",
    "QuantileTransformer",
    "PowerTransformer",
    "Binarizer",
    "TargetEncoder",
}
# transformers whose outputs each depend on one input column, several per column;
# the owner of an output is read from the feature names
_GROUPED = {"OneHotEncoder", "KBinsDiscretizer", "EmbeddingEncoder"}

_SCAN_ROWS = 256
# most embedding entries per raw column in the exact form of an FwFM whose pair
# weights vary inside a one-hot block (see _PipelineDecomposer._lifted)
_MAX_LIFTED = 4096


class _NotColumnWise(Exception):
    """A step whose outputs are not known to depend on one input column each."""


def pipeline_decomposer(pipe, background):
    """``(decomposer, None)`` for an exact path through ``pipe``, else ``(None, why)``.

    Parameters
    ----------
    pipe : fitted Pipeline
        Its last step must have ``decompose``.
    background : DataFrame or ndarray
        Raw background rows; a sample of them checks the column mapping.
    """
    final = pipe.steps[-1][1]
    if not callable(getattr(final, "decompose", None)):
        return None, (
            f"the final step {type(final).__name__} has no decompose method "
            "(FM, FwFM, DeepFM, Wide&Deep have one)"
        )
    prep = Pipeline(pipe.steps[:-1]) if len(pipe.steps) > 1 else None
    n_in = background.shape[1]
    try:
        owner = np.arange(n_in) if prep is None else _owners_of(prep, n_in)
    except _NotColumnWise as exc:
        return None, str(exc)
    sample = _rows(background, slice(0, _SCAN_ROWS))
    first = _rows(sample, slice(0, 1))
    if prep is not None:
        why, transformed = _check_column_wise(prep, sample, owner)
        if why is not None:
            return None, why
        first = _rows(transformed, slice(0, 1))  # saves a transform call
    names, raw_owner = _names(background, pipe), None
    fields = getattr(getattr(final, "schema_", None), "columns", None)
    if fields is not None:
        # vector fields: the raw columns feeding one field are played together
        owner, raw_owner, names = _vector_players(
            owner, fields, names, final.schema_.names
        )
    decomposer = _PipelineDecomposer(pipe, prep, final, owner, names)
    decomposer.raw_owner = raw_owner
    try:
        # one row through the final model: can it decompose this input, and
        # can its encoded columns be grouped?
        decomposer.group(final.decompose(first))
    except (TypeError, ValueError) as exc:
        # e.g. a model fitted on sparse one-hot output, or a FwFM whose weights
        # differ inside a one-hot block
        return None, str(exc)
    return decomposer, None


def _vector_players(col_owner, fields, raw_names, field_names):
    """Players of raw columns when the final model has vector fields.

    ``col_owner`` maps each transformed column to its raw column and ``fields``
    lists each field's transformed columns. Raw columns feeding one field form
    one player (connected components, ordered by their first raw column).
    Returns ``(field -> player, raw column -> player or None, player names)``;
    a player of one raw column keeps its name, one of a single vector field
    takes the field's name.
    """
    n_raw = len(raw_names)
    parent = list(range(n_raw))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for cols in fields:
        raws = np.unique(np.asarray(col_owner)[list(cols)])
        for r in raws[1:]:
            parent[find(int(r))] = find(int(raws[0]))
    index = {}
    raw_owner = np.array(
        [index.setdefault(find(r), len(index)) for r in range(n_raw)], dtype=int
    )
    field_owner = np.array(
        [raw_owner[col_owner[cols[0]]] for cols in fields], dtype=int
    )
    names = []
    for p in range(len(index)):
        raws = np.flatnonzero(raw_owner == p)
        mine = np.flatnonzero(field_owner == p)
        if len(raws) == 1:
            names.append(raw_names[raws[0]])
        elif len(mine) == 1:
            names.append(str(field_names[mine[0]]))
        else:
            names.append("+".join(str(raw_names[r]) for r in raws))
    if np.array_equal(raw_owner, np.arange(n_raw)):
        raw_owner = None
    return field_owner, raw_owner, names


class _PipelineDecomposer:
    """The final model's ``decompose`` on raw input, one field per raw column.

    With vector fields in the final model, one field per *player*: the raw
    columns that feed one field (``raw_owner`` maps raw columns to players).
    """

    raw_owner = None

    def __init__(self, pipe, prep, final, owner, names):
        self.pipe, self.prep, self.final = pipe, prep, final
        self.owner = np.asarray(owner)
        self.names = names
        self.classes_ = getattr(pipe, "classes_", None)

    def decompose(self, X, *, output=None):
        Xt = X if self.prep is None else self.prep.transform(X)
        return self.group(self.final.decompose(Xt, output=output))

    def group(self, dec):
        """The decomposition of the encoded columns, one field per raw column."""
        m_raw, owner = len(self.names), self.owner
        if dec.linear.shape[1] != len(owner):
            raise ValueError(
                f"the preprocessing gives {len(owner)} columns but the final model "
                f"decomposes into {dec.linear.shape[1]} fields"
            )
        if len(owner) == m_raw and np.array_equal(np.sort(owner), np.arange(m_raw)):
            # one column per raw column: a reordering
            order = np.argsort(owner)
            return Decomposition(
                bias=dec.bias,
                linear=dec.linear[:, order],
                embeddings=dec.embeddings[:, order],
                pair_weights=dec.pair_weights[np.ix_(order, order)],
                feature_names=list(self.names),
                remainder=dec.remainder,
            )
        onehot = np.zeros((len(owner), m_raw))
        onehot[np.arange(len(owner)), owner] = 1.0
        emb = np.einsum("njk,jc->nck", dec.embeddings, onehot, optimize=True)
        w = dec.pair_weights
        # pairs inside a group depend on the group's raw column alone
        inside = w * (owner[:, None] == owner[None, :])
        within = 0.5 * np.einsum(
            "njk,jl,nlk->nj", dec.embeddings, inside, dec.embeddings, optimize=True
        )
        linear = (dec.linear + within) @ onehot
        weights = self._block_weights(w)
        if weights is None:
            # an FwFM on one-hot output: the weights differ inside a block
            emb, weights = self._lifted(dec.embeddings, w, onehot)
        return Decomposition(
            bias=dec.bias,
            linear=linear,
            embeddings=emb,
            pair_weights=weights,
            feature_names=list(self.names),
            remainder=dec.remainder,
        )

    def _block_weights(self, w):
        """Raw columns' pair weights if ``w`` is constant on each block, else None."""
        m_raw, owner = len(self.names), self.owner
        weights = np.zeros((m_raw, m_raw))
        for c in range(m_raw):
            for d in range(m_raw):
                block = w[np.ix_(owner == c, owner == d)]
                if c == d or block.size == 0:
                    continue
                if np.ptp(block) > 1e-12 * max(1.0, np.abs(block).max()):
                    return None
                weights[c, d] = block.flat[0]
        return weights

    def _lifted(self, embeddings, w, onehot):
        """Exact FM form of pair weights that vary inside the blocks.

        With ``R + s I = L L^T`` positive semi-definite (``s`` the negated
        smallest eigenvalue of ``R``), the raw column ``c`` gets the embedding
        ``E_c = sum_{j in G_c} L[j] (x) e_j`` of size ``m' k``. For ``c != d``,
        ``<E_c, E_d> = sum_{j in G_c, l in G_d} (R + s I)_jl <e_j, e_l>``, and
        the shift ``s I`` drops out because the blocks are disjoint: this is the
        pair term exactly, with weight one.
        """
        n, m_enc, k = embeddings.shape
        if m_enc * k > _MAX_LIFTED:
            raise ValueError(
                "the final model's pair weights differ inside the blocks of "
                f"encoded columns, and the exact form would need embeddings of "
                f"size {m_enc * k} (more than {_MAX_LIFTED}); an FwFM on a wide "
                "one-hot output"
            )
        cached = getattr(self, "_factor", None)
        if cached is None or not np.array_equal(cached[0], w):
            lam, vec = np.linalg.eigh(w)
            shift = max(0.0, -float(lam.min()))
            cached = (w.copy(), vec * np.sqrt(np.clip(lam + shift, 0.0, None)))
            self._factor = cached
        factor = cached[1]
        lifted = np.einsum(
            "njk,jr,jc->ncrk", embeddings, factor, onehot, optimize=True
        ).reshape(n, onehot.shape[1], m_enc * k)
        used = onehot.sum(axis=0) > 0
        weights = (used[:, None] & used[None, :]).astype(float)
        np.fill_diagonal(weights, 0.0)
        return lifted, weights


class _ArrayInput:
    """A model fitted on arrays, fed a DataFrame: arrays in, the frame's names out.

    Explaining ``pipe[-1]`` on ``pd.DataFrame(Xt, columns=names)`` where ``Xt``
    is a transformed array keeps the labels ``names`` (the model never saw them).
    """

    def __init__(self, decomposer, names):
        self.decomposer, self.names = decomposer, list(names)
        self.raw_owner = getattr(decomposer, "raw_owner", None)
        if self.raw_owner is not None:
            self.names = list(decomposer.names)

    def decompose(self, X, *, output=None):
        dec = self.decomposer.decompose(_to_array(X), output=output)
        dec.feature_names = list(self.names)
        return dec


def field_names(model, background):
    """Names of the model's players: the background's columns, or with vector
    fields, one name per field (a one-column field keeps its column's name)."""
    columns = [str(c) for c in getattr(background, "columns", [])]
    schema = getattr(model, "schema_", None)
    groups = getattr(schema, "columns", None)
    if groups is None:
        return columns
    if len(columns) != getattr(model, "n_features_in_", -1):
        return list(schema.names)
    return [
        columns[cols[0]] if len(cols) == 1 else name
        for name, cols in zip(schema.names, groups, strict=True)
    ]


def fitted_on_arrays(model, background):
    """Whether ``model`` was fitted without column names but ``background`` has them."""
    return (
        isinstance(background, pd.DataFrame)
        and hasattr(model, "n_features_in_")
        and getattr(model, "feature_names_in_", None) is None
    )


def on_arrays(f):
    """``f`` called with arrays where it is given DataFrames."""

    def g(X):
        return f(_to_array(X))

    return g


def decomposer_of(model, background):
    """``(object with decompose, None)`` or ``(None, why the exact path fails)``.

    A bare model with ``decompose`` is its own decomposer; a ``Pipeline`` ending in
    one goes through :func:`pipeline_decomposer`.
    """
    if fitted_on_arrays(model, background):
        inner, why = decomposer_of(model, _to_array(background))
        if inner is None:
            return None, why
        return _ArrayInput(inner, field_names(model, background)), None
    if isinstance(model, Pipeline):
        return pipeline_decomposer(model, background)
    if callable(getattr(model, "decompose", None)):
        unavailable = getattr(model, "decomposition_unavailable_reason", None)
        why = unavailable() if callable(unavailable) else None
        if why is not None:
            return None, why
        return model, None
    return None, "it has no decompose method"


def _to_array(X):
    if isinstance(X, pd.DataFrame):
        if all(pd.api.types.is_numeric_dtype(t) for t in X.dtypes):
            return X.to_numpy(dtype=np.float64)
        return X.to_numpy(dtype=object)
    return X


# ------------------------------------------------------------------ owners
def _owners_of(step, n_in):
    """Owner (input column index) of each output column of a fitted step."""
    if step is None or (isinstance(step, str) and step == "passthrough"):
        return np.arange(n_in)
    if isinstance(step, Pipeline):
        owner = np.arange(n_in)
        for _, sub in step.steps:
            owner = owner[_owners_of(sub, len(owner))]
        return owner
    if isinstance(step, ColumnTransformer):
        return _column_transformer_owners(step, n_in)
    name = type(step).__name__
    if name == "FunctionTransformer" and getattr(step, "func", 0) is None:
        # the identity (ColumnTransformer's remainder="passthrough" holds one)
        return np.arange(n_in)
    if name in _ONE_TO_ONE:
        n_out = len(step.get_feature_names_out())
        if n_out != n_in:
            # a multiclass TargetEncoder gives one column per class and input
            return _owners_by_name(step, n_in)
        return np.arange(n_in)
    if name == "SimpleImputer":
        if step.add_indicator:
            raise _NotColumnWise(
                "SimpleImputer(add_indicator=True) is not handled column by column"
            )
        return _owners_by_name(step, n_in)
    if name in _GROUPED:
        return _owners_by_name(step, n_in)
    raise _NotColumnWise(
        f"the step {name} is not known to act column by column (known: "
        f"{', '.join(sorted(_ONE_TO_ONE | _GROUPED | {'SimpleImputer'}))}, "
        "ColumnTransformer and Pipeline of these)"
    )


def _owners_by_name(step, n_in):
    """Owners read from the names: output ``name`` or ``name_<suffix>`` of input."""
    if hasattr(step, "feature_names_in_"):
        inputs = [str(c) for c in step.feature_names_in_]
    else:
        inputs = [f"x{i}" for i in range(n_in)]
    outputs = [str(c) for c in step.get_feature_names_out()]
    # the longest matching input name wins ("a_b_1" belongs to "a_b", not "a")
    by_length = sorted(range(n_in), key=lambda i: -len(inputs[i]))
    owner = []
    for out in outputs:
        for i in by_length:
            if out == inputs[i] or out.startswith(inputs[i] + "_"):
                owner.append(i)
                break
        else:
            raise _NotColumnWise(
                f"cannot tell which input column {type(step).__name__}'s output "
                f"{out!r} comes from"
            )
    return np.asarray(owner, dtype=int)


def _column_transformer_owners(ct, n_in):
    indices = getattr(ct, "_transformer_to_input_indices", None)
    if indices is None:
        raise _NotColumnWise("this scikit-learn's ColumnTransformer is not supported")
    owner = []
    for name, trans, _ in ct.transformers_:
        cols = np.asarray(indices.get(name, []), dtype=int)
        if isinstance(trans, str) and trans == "drop":
            continue
        if len(cols) == 0:
            continue
        owner.append(cols[_owners_of(trans, len(cols))])
    return np.concatenate(owner) if owner else np.zeros(0, dtype=int)


# ------------------------------------------------------------------ checks
def _check_column_wise(prep, sample, owner):
    """Check on ``sample`` that output ``o`` is a function of input ``owner[o]``.

    Returns ``(None, transformed)`` when it holds (the transformed table starts
    with the sample's rows), else ``(why, None)``.

    Column ``c`` of a mixed table comes from the sample rolled by ``c + 1`` rows;
    each output of the mixed table must then be the same output of the sample,
    rolled by its owner's shift.
    """
    n, m = sample.shape
    if n < 2:
        try:
            return None, prep.transform(sample)
        except Exception as exc:  # noqa: BLE001 - any failure means: do not trust it
            return f"the preprocessing failed on the background ({exc})", None
    shifts = (np.arange(m) + 1) % n
    index = (np.arange(n)[:, None] + shifts[None, :]) % n
    if isinstance(sample, pd.DataFrame):
        mixed = pd.DataFrame(
            {
                col: sample[col].array.take(index[:, j])
                for j, col in enumerate(sample.columns)
            }
        )
        both = pd.concat([sample.reset_index(drop=True), mixed], ignore_index=True)
    else:
        arr = np.asarray(sample)
        both = np.concatenate([arr, arr[index, np.arange(m)]])
    try:
        transformed = prep.transform(both)
    except Exception as exc:  # noqa: BLE001 - any failure means: do not trust it
        return f"the preprocessing failed on mixed rows ({exc})", None
    out = _columns(transformed)
    if len(out) != len(owner):
        return (
            f"the preprocessing gives {len(out)} columns where {len(owner)} were "
            "expected from its steps"
        ), None
    for o, col in enumerate(out):
        plain, mix = col[:n], col[n:]
        expected = plain[index[:, owner[o]]]
        if not _same(mix, expected):
            return (
                f"output column {o} of the preprocessing does not depend on input "
                f"column {owner[o]} alone"
            ), None
    return None, transformed


def _columns(table):
    if hasattr(table, "toarray"):
        table = table.toarray()
    if isinstance(table, pd.DataFrame):
        return [table.iloc[:, j].to_numpy() for j in range(table.shape[1])]
    table = np.asarray(table)
    return [table[:, j] for j in range(table.shape[1])]


def _same(a, b):
    return pd.Series(a).equals(pd.Series(b))


def _names(background, pipe):
    if isinstance(background, pd.DataFrame):
        return [str(c) for c in background.columns]
    names = getattr(pipe, "feature_names_in_", None)
    if names is not None and len(names) == background.shape[1]:
        return [str(c) for c in names]
    return [f"x{i}" for i in range(background.shape[1])]


def _rows(data, index):
    if isinstance(data, pd.DataFrame):
        return data.iloc[index]
    if hasattr(data, "tocsr"):  # a sparse transform output
        return data.tocsr()[index]
    return np.asarray(data)[index]
