"""Batched evaluation of interventional games ``v(S) = mean_b f(x_S, b_notS)``.

:class:`GameTable` evaluates every explained row on one shared list of
coalitions, in model calls of about ``batch_size`` rows each, with a progress
bar. For skfeat's field models the rows and the background are encoded once and
masked rows are built by tensor indexing straight into the torch module (no
pandas round trip per call), optionally in float32.

The game table and the fast paths it drives (one per kind of model, each with
its ``applies`` check) are kept together: they share the masking of encoded rows.
"""

import numpy as np
import pandas as pd
import torch

from skfeat.explain._sampling import MaskedGame


def _progress(total, verbose, desc):
    if not verbose:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm comes with skorch
        return None
    return tqdm(total=total, desc=desc, unit="coalition-rows", leave=False)


class GameTable:
    """``v(S)`` for all rows of ``X`` on shared coalitions, batched.

    Parameters
    ----------
    f : callable
        Generic path: maps a table like ``background`` to a 1d float array.
    X, background : DataFrame or ndarray
    batch_size : int
        Most model rows per call.
    fast : _FieldModelFunction or None
        Fast path for skfeat field models (takes precedence over ``f``).
    verbose : int
        A progress bar when positive.
    owner : ndarray of int or None, default=None
        The player of each column of ``X`` (see :class:`MaskedGame`); masks are
        given per player.
    """

    def __init__(
        self, f, X, background, batch_size, fast=None, verbose=0, owner=None
    ):
        self.n = X.shape[0]
        self.m = X.shape[1] if owner is None else int(np.max(owner)) + 1
        self.n_background = background.shape[0]
        self.batch_size = batch_size
        self.verbose = verbose
        self.fast = fast
        self.model_rows = 0  # model rows evaluated so far (distinct masked rows)
        if fast is not None:
            with torch.no_grad():
                self._x = fast.encode(X)
                self._b = fast.encode(background)
        else:
            self._game = MaskedGame(f, X, background, batch_size, owner=owner)

    def table(self, masks, desc="coalitions"):
        """``(n, Q)`` values of each row on each coalition of ``masks`` (Q, m)."""
        masks = np.asarray(masks, dtype=bool)
        Q = len(masks)
        bar = _progress(self.n * Q, self.verbose, desc)
        if isinstance(self.fast, MLPSplitFunction):
            out, rows = self.fast.table(
                self._x, self._b, masks, self.batch_size, bar
            )
        elif self.fast is not None and self.m <= _MAX_BIT_FIELDS:
            out, rows = self._distinct_table(masks, bar)
        else:
            out, rows = self._every_row_table(masks, bar)
        self.model_rows += int(rows)
        if bar is not None:
            bar.close()
        return out

    def _every_row_table(self, masks, bar):
        Q = len(masks)
        out = np.empty((self.n, Q))
        nb = self.n_background
        per_call = max(1, self.batch_size // nb)  # (row, coalition) queries per call
        rows = np.repeat(np.arange(self.n), Q)
        qs = np.tile(np.arange(Q), self.n)
        flat = out.reshape(-1)
        for start in range(0, len(rows), per_call):
            r = rows[start : start + per_call]
            q = qs[start : start + per_call]
            if self.fast is not None:
                flat[start : start + len(r)] = self._fast_values(r, masks[q])
            else:
                flat[start : start + len(r)] = self._game.values(r, masks[q])
            if bar is not None:
                bar.update(len(r))
        return out, self.n * Q * nb

    def _distinct_table(self, masks, bar):
        """The fast path's table, evaluating each distinct masked row once.

        As in :meth:`MLPSplitFunction.table`: for an explained row and a
        background row, the masked row depends on the coalition ``S`` only
        through ``S | A``, ``A`` the players on which the two rows agree.
        """
        nb, m = self.n_background, self.m
        inputs = self.fast.select(self._x, self._b)
        owners = {name: _one_hot(cols, m) for name, (_, _, cols) in inputs.items()}
        distinct = _DistinctRows(masks, nb)
        out = np.empty((self.n, len(masks)))
        chunk = max(1, min(int(self.batch_size), _HEAD_CHUNK))
        rows = 0
        for i in range(self.n):
            differ = np.zeros((nb, m))
            for name, (xv, bv, _) in inputs.items():
                if xv.shape[1]:
                    neq = (bv != xv[i][None]).numpy().astype(np.float64)
                    differ += neq @ owners[name]
            uniq, inv, b_of, on_x = distinct.of_row(differ == 0)
            b_of = torch.from_numpy(b_of)
            y = np.empty(len(uniq))
            for s in range(0, len(uniq), chunk):
                sl = slice(s, s + chunk)
                parts = {}
                for name, (xv, bv, cols) in inputs.items():
                    sel = torch.from_numpy(on_x[sl][:, cols])
                    parts[name] = torch.where(sel, xv[i][None], bv[b_of[sl]])
                y[sl] = self.fast(parts)
            out[i] = distinct.means(y, inv)
            rows += len(uniq)
            if bar is not None:
                bar.update(len(masks))
        return out, rows

    def _fast_values(self, r, mk):
        nb = self.n_background
        parts = {}
        for key, (xv, bv, cols) in self.fast.select(self._x, self._b).items():
            sel = torch.from_numpy(mk[:, cols])[:, None, :]  # (q, 1, m_key)
            parts[key] = torch.where(sel, xv[r][:, None, :], bv[None, :, :]).reshape(
                len(r) * nb, xv.shape[1]
            )
        pred = self.fast(parts)
        return pred.reshape(len(r), nb).mean(axis=1)


class FieldModelFunction:
    """Fast path for a fitted skfeat field model: encoded inputs to the module.

    ``part="output"`` evaluates the model's output (logit or prediction);
    ``part="remainder"`` only the remainder of its ``decompose`` (the deep part).
    """

    def __init__(self, model, output_index, part, dtype):
        self.model = model
        self.c = output_index
        self.part = part
        self.dtype = dtype
        self.order = np.asarray(model.schema_.order)
        self.n_cat = len(model.schema_.cardinalities)
        self.n_num = int(model.schema_.n_numeric)
        self.vector_dims = tuple(getattr(model.schema_, "vector_dims", ()))
        self.bag_lengths = tuple(spec[0] for spec in model.schema_.bag_specs)
        self.scale, self.shift = model.output_scale()

    @staticmethod
    def applies(model):
        from skfeat.models import BaseFieldModel

        return (
            isinstance(model, BaseFieldModel)
            and hasattr(model, "schema_")
            and hasattr(model, "encoder_")
            and model.input_kind_ == "fields"
        )

    def encode(self, X):
        return self.model.encode_inputs(_model_input(self.model, X))

    def select(self, x, b):
        """For each module input, (x rows, background rows, player of each column).

        The players are the model's fields (a vector field's values are one).
        """
        cat_cols = self.order[: self.n_cat]
        num_cols = self.order[self.n_cat : self.n_cat + self.n_num]
        out = {
            "cat": (x["cat"], b["cat"], cat_cols),
            "num": (x["num"], b["num"], num_cols),
        }
        first = self.n_cat + self.n_num
        if self.vector_dims:
            fields = self.order[first : first + len(self.vector_dims)]
            vec_cols = np.repeat(fields, self.vector_dims)
            out["vec"] = (x["vec"], b["vec"], vec_cols)
        if self.bag_lengths:
            # a bag's ids are one player, like a vector field's values
            fields = self.order[first + len(self.vector_dims) :]
            bag_cols = np.repeat(fields, self.bag_lengths)
            out["bag"] = (x["bag"], b["bag"], bag_cols)
        return out

    def __call__(self, inputs):
        from skfeat.nn._mlp import eval_precision

        module = self.model.net_.module_
        module.eval()
        with torch.no_grad(), eval_precision(self.dtype):
            if self.part == "remainder":
                out = self.model.remainder_of_inputs(inputs, self.c)
                return out.double().numpy() * self.scale
            out = module(
                inputs["cat"], inputs["num"], inputs.get("vec"), inputs.get("bag")
            )
            if out.ndim == 2:
                out = out[:, self.c]
            return out.double().numpy() * self.scale + self.shift


def _model_input(model, X):
    """``X`` as an array for a model fitted on arrays (no names to check)."""
    named = getattr(model, "feature_names_in_", None) is not None
    if isinstance(X, pd.DataFrame) and not named:
        from skfeat.explain._pipeline import _to_array

        return _to_array(X)
    return X


def encode_check(fast, f, background, atol):
    """Max abs difference between the fast path and ``f`` on some background rows.

    ``f`` is the reference (the model's own output in float64); a fast path
    further than ``atol`` off is not used.
    """
    rows = (
        background.iloc[:64]
        if isinstance(background, pd.DataFrame)
        else background[:64]
    )
    enc = fast.encode(rows)
    return float(np.max(np.abs(fast(enc) - f(rows))))


class MLPSplitFunction:
    """Fast path for a model whose explained part is ``MLP(concat_i e_i(x_i))``.

    The MLP's first layer is linear in the concatenated field embeddings, so
    it splits into per-field projections ``P_i = W_i e_i``, computed once per
    explained row and background row. A masked row's first layer is then a sum
    of projections, and a coalition's background half is shared by all rows:
    the first (widest-input) layer costs nothing per coalition-row. Used for the
    remainder (deep part) of DeepFM and Wide & Deep.
    """

    def __init__(self, model, output_index, dtype):
        self.model = model
        self.c = output_index
        self.dtype = dtype
        self.order = np.asarray(model.schema_.order)
        self.scale = model.output_scale()[0]
        layers = model.net_.module_.mlp.layers
        self.first, self.rest = layers[0], layers[1:]

    @staticmethod
    def applies(model, part):
        module = getattr(getattr(model, "net_", None), "module_", None)
        mlp = getattr(module, "mlp", None)
        return (
            part == "remainder"
            and FieldModelFunction.applies(model)
            and hasattr(model, "decompose")
            and mlp is not None
            and hasattr(module, "field_terms")
            and hasattr(mlp, "layers")
            and isinstance(mlp.layers[0], torch.nn.Linear)
        )

    def encode(self, X):
        """Per-field first-layer projections (n, m, H1) in input column order."""
        from skfeat.nn._mlp import eval_precision

        model = self.model
        module = model.net_.module_
        module.eval()
        inputs = model.encode_inputs(_model_input(model, X))
        with torch.no_grad(), eval_precision(torch.float64):
            emb = module.field_terms(
                inputs["cat"], inputs["num"], inputs.get("vec"), inputs.get("bag")
            )[1]
            n, m = emb.shape[:2]
            emb = emb.reshape(n, m, -1).double()
            w = self.first.weight.double().reshape(self.first.out_features, m, -1)
            proj = torch.einsum("nmd,hmd->nmh", emb, w)
        inverse = np.argsort(self.order)
        return proj[:, inverse].to(self.dtype).contiguous()

    def _head(self, h1):
        from skfeat.nn._mlp import eval_precision

        with eval_precision(self.dtype):
            out = self.rest(h1 + self.first.bias.to(h1.dtype))
        return out[..., self.c]

    def direct(self, X):
        with torch.no_grad():
            h1 = self.encode(X).sum(dim=1)
            return self._head(h1).double().numpy() * self.scale

    def table(self, px, pb, masks, batch_size, bar):
        """Values ``(n, Q)`` of each row on each coalition, and the model rows run.

        Only distinct model inputs are evaluated. For an explained row ``x`` and
        a background row ``b``, the masked row ``(x_S, b_notS)`` depends on ``S``
        only through ``T = S | A``, ``A`` the fields where ``x`` and ``b`` agree:
        with categorical fields many coalitions give the same input (on
        Frappe_x1, 512 coalitions give about 140 distinct inputs per pair of
        rows). Nothing is approximated: equal inputs have equal outputs. The
        head runs in cache-sized chunks with batch norm folded into the linear
        layers (see :func:`_fold_head`).
        """
        m = px.shape[1]
        head = _fold_head(self.first, self.rest, self.c, px.dtype)
        if head is None or m > _MAX_BIT_FIELDS:
            return self._table_modules(px, pb, masks, batch_size, bar)
        scale, shift, layers, w_out, b_out = head
        n, nb = px.shape[0], pb.shape[0]
        px = px * scale
        pb = pb * scale
        ids = _field_ids(torch.cat([px, pb]))
        x_ids, b_ids = ids[:n], ids[n:]
        distinct = _DistinctRows(masks, nb)
        # every background row's full pre-activation: the x half is added as
        # differences, which are exactly zero on the fields where x and b agree
        back = pb.sum(dim=1) + shift + self.first.bias.detach().to(px.dtype) * scale
        chunk = max(1, min(int(batch_size), _HEAD_CHUNK))
        buf = torch.empty(chunk + len(masks), px.shape[2], dtype=px.dtype)
        out = np.empty((n, len(masks)))
        rows = 0
        with torch.no_grad():
            for i in range(n):
                uniq, inv, b_of, on_x = distinct.of_row(b_ids == x_ids[i])
                on_x = torch.from_numpy(on_x).to(px.dtype)  # (K, m)
                diff = px[i][None] - pb  # (nb, m, H1)
                starts = np.searchsorted(b_of, np.arange(nb + 1))
                y = _composite_outputs(
                    back, diff, on_x, starts, buf, chunk, layers, w_out
                )
                out[i] = distinct.means(y, inv)
                rows += len(uniq)
                if bar is not None:
                    bar.update(len(masks))
        return (out + b_out) * self.scale, rows

    def _table_modules(self, px, pb, masks, batch_size, bar):
        n, nb = px.shape[0], pb.shape[0]
        Q = len(masks)
        out = np.empty((n, Q))
        mk = torch.from_numpy(masks).to(px.dtype)  # (Q, m)
        q_chunk = max(1, min(Q, batch_size // max(nb, 1)))
        with torch.no_grad():
            self.model.net_.module_.eval()
            for q0 in range(0, Q, q_chunk):
                mq = mk[q0 : q0 + q_chunk]
                back = torch.einsum("qm,bmh->qbh", 1.0 - mq, pb)  # (q, B, H1)
                fore = torch.einsum("qm,nmh->nqh", mq, px)  # (n, q, H1)
                rows = max(1, batch_size // (len(mq) * nb))
                for r0 in range(0, n, rows):
                    h1 = fore[r0 : r0 + rows, :, None, :] + back[None]
                    pred = self._head(h1.reshape(-1, h1.shape[-1]))
                    vals = pred.reshape(-1, len(mq), nb).double().mean(dim=2)
                    out[r0 : r0 + rows, q0 : q0 + len(mq)] = vals.numpy()
                    if bar is not None:
                        bar.update(vals.numel())
        return out * self.scale, n * Q * nb


# Model rows per call of the distinct-row tables: activations of a few MB, which
# stay in cache between layers (on Frappe, 200 rows: DeepFM 7.0 s against 7.8 s
# and DCN-v2 10.7 s against 14.1 s with 32K-row calls; bench_explain_frappe
# --head-chunk).
_HEAD_CHUNK = 4096
# Coalitions are handled as bit masks in int64 keys (with the background row).
_MAX_BIT_FIELDS = 40
# Activations the folded head runs as they are (skfeat.nn._mlp's choices).
_ACTIVATIONS = (
    torch.nn.ReLU, torch.nn.Tanh, torch.nn.Sigmoid, torch.nn.GELU,
    torch.nn.LeakyReLU, torch.nn.Identity,
)  # fmt: skip


class _DistinctRows:
    """The distinct masked rows of one explained row, over every background row.

    For explained row ``x`` and background row ``b`` the masked row
    ``(x_S, b_notS)`` depends on ``S`` only through ``T = S | A``, ``A`` the
    players on which ``x`` and ``b`` agree. Keys ``b << m | T`` (int64, so at
    most ``_MAX_BIT_FIELDS`` players) identify the distinct rows, sorted by
    background row.
    """

    def __init__(self, masks, n_background):
        masks = np.asarray(masks, dtype=bool)
        self.m = masks.shape[1]
        self.pow2 = np.int64(1) << np.arange(self.m, dtype=np.int64)
        self.bits = masks.astype(np.int64) @ self.pow2  # (Q,)
        self.b_shifted = np.arange(n_background, dtype=np.int64)[:, None] << self.m
        self.n_background = n_background

    def of_row(self, agree):
        """``agree`` (nb, m) bool -> keys, inverse, background row and ``x`` side.

        ``on_x[k, j]`` is True where distinct row ``k`` takes player ``j`` from
        the explained row.
        """
        agree_bits = agree.astype(np.int64) @ self.pow2
        key = self.b_shifted | (self.bits[None, :] | agree_bits[:, None])
        uniq, inv = np.unique(key.ravel(), return_inverse=True)
        on_x = (uniq[:, None] >> np.arange(self.m)) & 1 == 1
        return uniq, inv.ravel(), uniq >> self.m, on_x

    def means(self, y, inv):
        """Each coalition's mean over the background of the distinct outputs."""
        return y[inv].reshape(self.n_background, -1).mean(axis=0)


def _one_hot(cols, m):
    """``(len(cols), m)`` indicator of the player of each column."""
    out = np.zeros((len(cols), m))
    out[np.arange(len(cols)), np.asarray(cols, dtype=np.int64)] = 1.0
    return out


def _fold_head(first, rest, c, dtype):
    """The MLP after its first linear layer as plain affine maps, or ``None``.

    Eval-mode batch norm is an affine map per unit, so it folds into the linear
    layer before it (the first one's into the per-field projections: returned as
    ``scale, shift``); dropout is the identity in eval mode. Returns ``(scale,
    shift, layers, w_out, b_out)`` with ``layers`` a list of ``(W.T, b)`` or an
    activation module, and ``w_out, b_out`` the output unit ``c``. ``None`` for
    any other layer (e.g. layer norm): the caller runs the modules as they are.
    """
    from skfeat.nn._mlp import BatchNorm1d

    width = first.out_features
    scale = torch.ones(width, dtype=torch.float64)
    shift = torch.zeros(width, dtype=torch.float64)
    affine = []  # [W (out, in), b (out,)] in float64, batch norm folded in
    ops = []
    for layer in rest:
        if isinstance(layer, torch.nn.Dropout):
            continue
        if isinstance(layer, torch.nn.Linear):
            affine = [layer.weight.detach().double(), layer.bias.detach().double()]
            ops.append(affine)
        elif isinstance(layer, BatchNorm1d) and layer.track_running_stats:
            s = layer.weight.detach().double() / torch.sqrt(
                layer.running_var.double() + layer.eps
            )
            t = layer.bias.detach().double() - layer.running_mean.double() * s
            if ops and isinstance(ops[-1], list):
                ops[-1][0] = ops[-1][0] * s[:, None]
                ops[-1][1] = ops[-1][1] * s + t
            elif not ops:
                scale, shift = scale * s, shift * s + t
            else:
                return None
        elif isinstance(layer, _ACTIVATIONS):
            ops.append(layer)
        else:
            return None
    if not ops or not isinstance(ops[-1], list) or c >= ops[-1][0].shape[0]:
        return None
    w_out, b_out = ops.pop()
    layers = [
        (op[0].t().contiguous().to(dtype), op[1].to(dtype))
        if isinstance(op, list)
        else op
        for op in ops
    ]
    return (scale.to(dtype), shift.to(dtype), layers, w_out[c].to(dtype),
            float(b_out[c]))  # fmt: skip


def _field_ids(proj):
    """``(n, m)`` int ids: rows with equal projections on a field share an id.

    Equal projections mean equal contributions to the first layer, so the
    inputs need not be compared (numeric and vector fields included).
    """
    ids = np.empty(proj.shape[:2], dtype=np.int64)
    for j in range(proj.shape[1]):
        ids[:, j] = torch.unique(proj[:, j], dim=0, return_inverse=True)[1].numpy()
    return ids


def _composite_outputs(back, diff, on_x, starts, buf, chunk, layers, w_out):
    """The head on every distinct masked row of one explained row, as numpy.

    Row ``k`` (background row ``b``, whose rows are ``starts[b]:starts[b+1]``)
    has first-layer pre-activation ``back[b] + on_x[k] @ diff[b]``; rows are
    gathered into ``buf`` until a chunk is full, then sent through the head.
    """
    total = int(starts[-1])
    y = np.empty(total)
    filled, done = 0, 0
    for b in range(len(starts) - 1):
        lo, hi = int(starts[b]), int(starts[b + 1])
        if hi > lo:
            torch.addmm(
                back[b], on_x[lo:hi], diff[b], out=buf[filled : filled + hi - lo]
            )
            filled += hi - lo
        if filled >= chunk or (b == len(starts) - 2 and filled):
            y[done : done + filled] = _run_head(buf[:filled], layers, w_out)
            done += filled
            filled = 0
    return y


def _run_head(h, layers, w_out):
    """The folded head (see :func:`_fold_head`) on first-layer pre-activations."""
    for op in layers:
        if isinstance(op, tuple):
            h = torch.addmm(op[1], h, op[0])
        elif isinstance(op, torch.nn.ReLU):
            h = h.relu_()
        else:
            h = op(h)
    return (h @ w_out).double().numpy()
