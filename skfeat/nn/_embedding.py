"""Field embeddings: one vector per field and row, categorical, numeric or vector."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skfeat.nn._bag import TargetAttention, pool
from skfeat.nn._mlp import eval_dtype


def unique_rows(ids):
    """Return the distinct values of ``ids`` (sorted) and each entry's position.

    ``torch.unique(ids, return_inverse=True)``, in a fraction of its time on a
    CPU: one stable sort of the ids gives both the distinct values and, through
    the sorting order, the inverse.

    Parameters
    ----------
    ids : Tensor of int64, shape (n,)
        Non-negative ids.

    Returns
    -------
    rows : Tensor of int64, shape (n_unique,)
        The distinct ids, ascending.
    inverse : Tensor of int64, shape (n,)
        ``rows[inverse] == ids``.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._embedding import unique_rows
    >>> rows, inverse = unique_rows(torch.tensor([7, 2, 7, 5]))
    >>> rows.tolist(), inverse.tolist()
    ([2, 5, 7], [2, 0, 2, 1])
    """
    groups = _row_groups(ids)
    if groups is None:
        return torch.unique(ids, sorted=True, return_inverse=True)
    rows, order, starts = groups
    sizes = np.diff(starts.numpy(), append=ids.numel())
    inverse = np.empty(ids.numel(), dtype=np.int64)
    inverse[order.numpy()] = np.repeat(np.arange(len(sizes)), sizes)
    return rows, torch.from_numpy(inverse)


def _row_groups(ids, n_rows=None):
    """The distinct ids, the positions grouped by id, and each group's start.

    Returns ``(rows, order, starts)``: ``rows`` the distinct ids ascending,
    ``order`` the positions of ``ids`` sorted by id (by position within an id),
    ``starts`` the index in ``order`` where each id's group begins; None where
    the ids are not on the CPU. One stable sort, then one pass over the sorted
    ids. ``n_rows``, the size of the table the ids index (when known), spares
    the pass that finds the largest id.
    """
    n = ids.numel()
    if n == 0 or ids.device.type != "cpu":
        return None
    # torch sorts integers by radix, in as many passes as the keys have bytes in
    # use, and on every thread: ids below 2^31 (any table of fewer rows) sorted
    # as int32 take a fraction of the time of int64 keys
    # (benchmarks/bench_kernel_scaling.py). The stable sort keeps the positions
    # of an id in order, so that its lookups' gradients are summed in that order.
    # (An id outside a table of n_rows rows fails the lookup that follows.)
    largest = n_rows - 1 if n_rows is not None else int(ids.max())
    if largest < 1 << 31:
        ids = ids.to(torch.int32)
    values, order = torch.sort(ids, stable=True)
    rows, counts = torch.unique_consecutive(values, return_counts=True)
    starts = counts.cumsum(0).sub_(counts)
    return rows.long(), order, starts


class _GatherRows(torch.autograd.Function):
    """``weight[ids]`` whose gradient is sparse, coalesced and summed per row.

    ``nn.Embedding(sparse=True)`` returns one gradient row per *lookup*, which the
    optimizer (and gradient clipping) must coalesce by a sort of ``(id, row)``
    pairs; here the ids are made unique once in the forward pass and the backward
    pass sums the lookups of each id into one row, so the gradient already holds
    one row per distinct id (flagged coalesced).
    """

    @staticmethod
    def forward(ctx, weight, ids):
        flat = ids.reshape(-1)
        ctx.save_for_backward(flat)
        ctx.shape = weight.shape
        ctx.groups = _row_groups(flat, weight.shape[0])
        return weight.index_select(0, flat).view(*ids.shape, weight.shape[1])

    @staticmethod
    def backward(ctx, grad):
        (flat,) = ctx.saved_tensors
        groups, ctx.groups = ctx.groups, None
        dim = ctx.shape[1]
        grad = grad.reshape(-1, dim)
        if groups is not None:
            # each distinct id's lookups summed in position order: an embedding
            # bag over the gradient's rows, which torch runs in parallel over the
            # ids; the same sums, bit for bit, as an accumulating index_put_ on
            # one thread (whose kernel on several threads is slower, and orders
            # the sums differently)
            rows, order, starts = groups
            values = F.embedding_bag(order, grad, starts, mode="sum")
        else:
            rows, inverse = torch.unique(flat, sorted=True, return_inverse=True)
            values = grad.new_zeros(rows.numel(), dim).index_put_(
                (inverse,), grad, accumulate=True
            )
        grad_weight = torch.sparse_coo_tensor(
            rows.unsqueeze(0), values, ctx.shape, is_coalesced=True,
            check_invariants=False,
        )
        return grad_weight, None


class _GatherDense(torch.autograd.Function):
    """``weight[ids]`` whose dense gradient is one ``index_add_`` of the rows.

    ``nn.Embedding``'s dense backward sorts the ids first; summing the rows
    in input order costs a third of it on a CPU, and is as deterministic.
    """

    @staticmethod
    def forward(ctx, weight, ids):
        ctx.save_for_backward(ids)
        ctx.shape = weight.shape
        return weight.index_select(0, ids)

    @staticmethod
    def backward(ctx, grad):
        (ids,) = ctx.saved_tensors
        grad_weight = grad.new_zeros(ctx.shape).index_add_(0, ids, grad)
        return grad_weight, None


def lookup(table, ids):
    """Rows ``ids`` of an ``nn.Embedding``, with row-summed sparse gradients.

    The same values as ``table(ids)``. When ``table`` has sparse gradients and
    autograd records, its gradient holds one row per distinct id (see
    :func:`unique_rows`), which costs time in the batch only.

    Parameters
    ----------
    table : nn.Embedding
        The table.
    ids : Tensor of int64
        Row indices, any shape.

    Returns
    -------
    rows : Tensor of shape (*ids.shape, embedding_dim)
        The looked-up rows.
    """
    if _row_summed(table):
        return _GatherRows.apply(table.weight, ids)
    return table(ids)


def _row_summed(table):
    # an nn.Embedding with sparse gradients, while autograd records (a
    # compressed table, for one, is not an nn.Embedding and keeps its own path),
    # outside torch.func transforms (per-row gradients vmap the plain lookup)
    return (
        isinstance(table, nn.Embedding)
        and table.sparse
        and table.weight.requires_grad
        and torch.is_grad_enabled()
        and not torch._C._are_functorch_transforms_active()
    )


class FieldEmbedding(nn.Module):
    """Embed categorical ids, numeric values and vectors into ``(n, m, dim)``.

    All categorical fields share one ``nn.Embedding`` table; field ``i`` owns rows
    ``offsets[i]:offsets[i] + cardinalities[i]``. A numeric field ``j`` owns one
    vector ``v_j`` and embeds value ``x`` as ``x * v_j``. A vector field ``g`` of
    ``d_g`` values owns a ``(d_g, dim)`` matrix ``W_g`` and embeds its vector ``x``
    as ``x @ W_g``: a learned linear projection, as a numeric field is a projection
    of one value. The output lists the categorical fields first, then the numeric
    ones, then the vector ones.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    dim : int
        Embedding width.
    init_std : float, default=0.01
        Standard deviation of the normal initialisation.
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for unknown
        categories, so that an unseen category contributes nothing.
    sparse : bool, default=False
        Sparse gradients for the categorical table.
    vector_dims : sequence of int, default=()
        Length of each vector field. Their values come as one ``vec`` tensor of
        shape ``(n, sum(vector_dims))``, the fields side by side. ``W_g`` starts
        ``N(0, init_std^2 / d_g)``, so that a standardised vector's embedding
        starts at the scale of the other fields'.
    bags : sequence of tuple, default=()
        Bag (multi-value) fields, each ``(length, pooling, segment,
        target_field)`` (see :class:`~skfeat._fields.FieldSchema`). Their ids
        come as one ``bag`` tensor of shape ``(n, sum of lengths)``, padded with
        ``-1``; each bag looks its ids up in table segment ``segment`` (the
        categorical fields' segments, then ``bag_cardinalities``'), and pools
        them by ``pooling``: ``"mean"``, ``"sum"``, ``"max"`` or
        ``"attention"`` to the embedding of categorical field
        ``target_field`` (:class:`~skfeat.nn._bag.TargetAttention`). Bag fields
        come last in the output.
    bag_cardinalities : sequence of int, default=()
        Ids of each bag field with its own vocabulary (its own segment).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import FieldEmbedding
    >>> emb = FieldEmbedding(cardinalities=[4, 3], n_numeric=2, dim=5)
    >>> out = emb(torch.tensor([[1, 2]]), torch.tensor([[0.3, -1.0]]))
    >>> out.shape  # (rows, 2 categorical + 2 numeric fields, dim)
    torch.Size([1, 4, 5])

    A vector field of length 3 (say a text embedding) is one more field:

    >>> emb = FieldEmbedding([4], 0, dim=5, vector_dims=[3])
    >>> emb(torch.tensor([[1]]), torch.zeros(1, 0), torch.randn(1, 3)).shape
    torch.Size([1, 2, 5])
    """

    def __init__(
        self, cardinalities, n_numeric, dim, init_std=0.01, zero_ids=(), sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        cardinalities = [int(c) for c in cardinalities]
        segments = cardinalities + [int(c) for c in bag_cardinalities]
        self.n_categorical = len(cardinalities)
        self.n_segments = len(segments)
        self.n_numeric = int(n_numeric)
        self.dim = int(dim)
        offsets = torch.tensor([0, *segments[:-1]], dtype=torch.int64).cumsum(0)
        self.register_buffer("offsets", offsets[: len(cardinalities)], persistent=False)
        self.table = nn.Embedding(max(sum(segments), 1), self.dim, sparse=bool(sparse))
        self.numeric = nn.Parameter(torch.empty(self.n_numeric, self.dim))
        with torch.no_grad():
            nn.init.normal_(self.table.weight, std=init_std)
            nn.init.normal_(self.numeric, std=init_std)
            for zid in zero_ids:
                rows = offsets[: len(segments)] + int(zid)
                self.table.weight[rows] = 0.0
        # vector fields: created (and drawn from the RNG) only when there are any,
        # so a model without them has the same parameters and initial values
        self.vector_dims = tuple(int(d) for d in vector_dims)
        if self.vector_dims:
            self.vectors = nn.ParameterList(
                nn.Parameter(torch.randn(d, self.dim) * (init_std / d**0.5))
                for d in self.vector_dims
            )
        # bag fields: as vector fields, nothing is created (or drawn) without them
        self.bag_specs = tuple(
            (int(n), str(p), int(s), int(t)) for n, p, s, t in bags
        )
        if self.bag_specs:
            self.register_buffer(
                "bag_offsets",
                torch.stack([offsets[s] for _, _, s, _ in self.bag_specs]),
                persistent=False,
            )
            self.attention = nn.ModuleList(
                TargetAttention(self.dim) if p == "attention" else nn.Identity()
                for _, p, _, _ in self.bag_specs
            )

    @property
    def sparse_training(self):
        """Whether a forward pass now gives the table row-summed sparse gradients.

        True in training mode, with autograd recording, for a table with sparse
        gradients: the large-table path, on which models use their fused
        interactions.
        """
        return self.training and _row_summed(self.table)

    @property
    def n_vector(self):
        """Number of vector fields."""
        return len(getattr(self, "vector_dims", ()))

    @property
    def n_bags(self):
        """Number of bag (multi-value) fields."""
        return len(getattr(self, "bag_specs", ()))

    @property
    def n_fields(self):
        """Number of fields: categorical, numeric, vector and bag."""
        return self.n_categorical + self.n_numeric + self.n_vector + self.n_bags

    def bag_embeddings(self, bag, cat_embeddings):
        """Return the pooled embeddings of the bag fields.

        Parameters
        ----------
        bag : Tensor of int64, shape (n, sum of lengths)
            Each bag's ids, padded with ``-1``.
        cat_embeddings : Tensor of shape (n, n_categorical, dim) or None
            The categorical fields' embeddings (attention's targets).

        Returns
        -------
        embeddings : Tensor of shape (n, n_bags, dim)
            The pooled embedding of each bag field.
        """
        out = []
        start = 0
        for k, (length, pooling, _, target) in enumerate(self.bag_specs):
            ids = bag[:, start : start + length]
            start += length
            mask = ids >= 0
            if pooling in ("mean", "sum"):
                out.append(self._bag_sum(ids, mask, k, pooling == "mean"))
                continue
            flat = (ids.clamp(min=0) + self.bag_offsets[k]).reshape(-1)
            rows = self._gather(flat).view(*ids.shape, -1)
            if pooling != "attention":
                out.append(pool(rows, mask, pooling))
                continue
            # in eval mode in float64, as the deep parts: a row's score does not
            # depend on the other rows of its batch
            history = eval_dtype(self, rows)
            goal = eval_dtype(self, cat_embeddings[:, target])
            out.append(self.attention[k](history, goal, mask).to(rows.dtype))
        return torch.stack(out, dim=1)

    def vector_embeddings(self, vec):
        """Return the projections of the vector fields.

        In eval mode the products are taken in float64 and rounded back, so a
        row's embedding does not depend on how many rows share the batch (as
        BLAS float32 results can).

        Parameters
        ----------
        vec : Tensor of shape (n, sum(vector_dims))
            Values of the vector fields, side by side.

        Returns
        -------
        embeddings : Tensor of shape (n, n_vector, dim)
            Embedding of each vector field.
        """
        out = []
        start = 0
        for d, w in zip(self.vector_dims, self.vectors, strict=True):
            x = vec[:, start : start + d]
            start += d
            if self.training:
                out.append(x @ w)
            else:
                out.append((x.double() @ w.double()).to(w.dtype))
        return torch.stack(out, dim=1)

    def _gather(self, ids):
        """Table rows ``ids`` (1-D) for the bag fields, with the cheapest
        gradient the table allows."""
        table = self.table
        if _row_summed(table):
            return _GatherRows.apply(table.weight, ids)
        if (
            isinstance(table, nn.Embedding)
            and table.weight.requires_grad
            and torch.is_grad_enabled()
            and not torch._C._are_functorch_transforms_active()
        ):
            return _GatherDense.apply(table.weight, ids)
        return table(ids)

    def _bag_sum(self, ids, mask, k, mean):
        """Sum (or mean) of each row's present ids' rows, padding never read.

        Each row's rows are added in their order (``index_add``), so a row's
        result does not depend on the other rows of its batch.
        """
        if torch._C._are_functorch_transforms_active():
            # per-row gradients (vmap) cannot select by a mask: every position
            rows = self.table(ids.clamp(min=0) + self.bag_offsets[k])
            return pool(rows, mask, "mean" if mean else "sum")
        present = mask.reshape(-1)
        flat = ids.reshape(-1)[present] + self.bag_offsets[k]
        owner = torch.arange(ids.shape[0], device=ids.device)
        owner = owner.repeat_interleave(ids.shape[1])[present]
        rows = self._gather(flat)
        total = rows.new_zeros(ids.shape[0], rows.shape[-1]).index_add(0, owner, rows)
        if not mean:
            return total
        return total / mask.sum(dim=1, keepdim=True).clamp(min=1).to(total.dtype)

    def forward(self, cat, num, vec=None, bag=None):
        parts = []
        cat_embeddings = None
        if self.n_categorical:
            cat_embeddings = lookup(self.table, cat + self.offsets)
            parts.append(cat_embeddings)
        if self.n_numeric:
            parts.append(num.unsqueeze(-1) * self.numeric)
        if self.n_vector:
            if vec is None:
                raise ValueError(
                    f"This embedding has {self.n_vector} vector field(s) and needs "
                    "their values as vec."
                )
            parts.append(self.vector_embeddings(vec))
        if self.n_bags:
            if bag is None:
                raise ValueError(
                    f"This embedding has {self.n_bags} bag field(s) and needs their "
                    "ids as bag."
                )
            parts.append(self.bag_embeddings(bag, cat_embeddings))
        if len(parts) == 1:
            return parts[0]
        return torch.cat(parts, dim=1)
