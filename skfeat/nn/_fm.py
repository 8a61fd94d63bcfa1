"""Factorization machine modules (pure torch).

``FM`` and ``FwFM`` take field inputs (``cat`` ids and ``num`` values, see
:class:`~skfeat.nn.FieldEmbedding`); ``SparseFM`` takes libFM-style sparse rows.
Each returns logits of shape ``(n,)`` when ``n_outputs == 1`` and ``(n, n_outputs)``
otherwise.
"""

import torch
from torch import nn

from skfeat.nn._embedding import FieldEmbedding


def pairwise_interaction(emb):
    """Sum over field pairs ``i < j`` of ``<e_i, e_j>`` in O(m k) (Rendle 2010).

    Parameters
    ----------
    emb : Tensor of shape (n, m, ..., k)
        Embeddings of ``m`` fields for ``n`` rows.

    Returns
    -------
    pairs : Tensor of shape (n, ...)
        The sum of the pair products, without the field and last axes.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import pairwise_interaction
    >>> emb = torch.tensor([[[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]])  # 1 row, 3 fields
    >>> pairwise_interaction(emb)  # <e0,e1> + <e0,e2> + <e1,e2> = 2 + 0 + 3
    tensor([5.])
    """
    square_of_sum = emb.sum(dim=1).pow(2)
    sum_of_squares = emb.pow(2).sum(dim=1)
    return 0.5 * (square_of_sum - sum_of_squares).sum(dim=-1)


class _FMLogits(torch.autograd.Function):
    """First-order and pair terms of an FM from ``(n, m, C + C k)`` embeddings.

    ``both[..., :C]`` holds each field's first-order weights, ``both[..., C:]`` its
    ``C`` factor vectors of width ``k``. Returns ``sum_i w_i + sum_{i<j} <v_i, v_j>``
    per output, ``(n, C)``, with the gradient written out: ``1`` for the weights and
    ``s - v_i`` (``s`` the sum of the field vectors) for the factors, scaled by the
    incoming gradient. Autograd's graph of the same expression makes a dozen passes
    over the embeddings in the backward pass (slices, squares, broadcast sums);
    this makes one, and writes the first-order columns.
    """

    @staticmethod
    def forward(ctx, both, n_outputs, with_factors):
        n, m, width = both.shape
        k = (width - n_outputs) // n_outputs
        total = both.sum(dim=1)  # (n, C + C k)
        linear = total[:, :n_outputs]
        sums = total[:, n_outputs:].view(n, n_outputs, k)
        # every column squared, first-order ones included: one pass over the
        # contiguous tensor is faster than over the factor columns' strided
        # slice, and summing the slice of the squares gives the same sums
        # (tested), but for a single column, which torch sums in another order
        # unless it is contiguous
        squares = both.pow(2)[..., n_outputs:]
        if squares.shape[-1] == 1:
            squares = squares.contiguous()
        squares = squares.sum(dim=1).view(n, n_outputs, k)
        pairs = 0.5 * (sums.pow(2) - squares).sum(dim=-1)
        ctx.save_for_backward(both, total)
        ctx.n_outputs = n_outputs
        if not with_factors:
            return linear + pairs
        # the factor columns side by side, (n, m C k), for a network on top:
        # always a fresh tensor (a view of the input would be one autograd
        # must track)
        factors = both.new_empty(n, m * (width - n_outputs))
        factors.view(n, m, -1).copy_(both[..., n_outputs:])
        return linear + pairs, factors

    @staticmethod
    def backward(ctx, grad, grad_factors=None):
        both, total = ctx.saved_tensors
        c = ctx.n_outputs
        n, m, width = both.shape
        k = (width - c) // c
        if c == 1:
            scale = grad.view(n, 1, 1)  # every column's gradient is the row's g
        else:
            scale = torch.cat(
                [grad, grad.repeat_interleave(k, dim=1)], dim=1
            ).unsqueeze(1)  # (n, 1, C + C k): each column's output gradient
        # (s - v_i) * g as s g - v_i g: one pass over the embeddings, not three.
        # s g is copied out to every field first: torch runs an elementwise
        # operand broadcast over the fields in loops of one field's C + C k
        # values, a full-width one over whole rows (the same sums either way)
        out = (total * scale.view(n, -1)).repeat(1, m).view(n, m, width)
        out.addcmul_(both, scale, value=-1)
        out[..., :c] = scale[..., :c]  # the first-order weights' gradient is g
        if grad_factors is not None:
            # added in place: the same sums as autograd's, without the
            # zero-padded copy that the slice's own backward would make
            out[..., c:] += grad_factors.reshape(n, m, width - c)
        return out, None, None


def fm_logits(both, n_outputs, *, with_factors=False):
    """Sum of first-order and pair terms of a field FM, with a fused backward.

    Equal (up to float rounding) to ``both[..., :C].sum(1) + pairwise_interaction(
    both[..., C:].reshape(n, m, C, k))``.

    Parameters
    ----------
    both : Tensor of shape (n, m, C * (1 + k))
        Each field's ``C`` first-order weights, then its ``C`` factor vectors.
    n_outputs : int
        ``C``.
    with_factors : bool, default=False
        Also return the factor columns flattened, ``both[..., C:].reshape(n,
        -1)``, as the input of a network on top of the FM (DeepFM's MLP): their
        gradient is added to the embeddings' in the FM's own backward pass.

    Returns
    -------
    logits : Tensor of shape (n, C)
        Without the bias.
    factors : Tensor of shape (n, m * C * k)
        Each row's factor vectors, field after field; only with
        ``with_factors=True``.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._fm import fm_logits
    >>> both = torch.tensor([[[0.5, 1.0, 0.0], [0.25, 2.0, 1.0]]])  # 1 row, 2 fields
    >>> fm_logits(both, 1)  # 0.5 + 0.25 + <(1, 0), (2, 1)>
    tensor([[2.7500]])
    >>> fm_logits(both, 1, with_factors=True)[1]
    tensor([[1., 0., 2., 1.]])
    """
    return _FMLogits.apply(both, int(n_outputs), bool(with_factors))


def _squeeze_outputs(logits, n_outputs):
    return logits.squeeze(-1) if n_outputs == 1 else logits


class FM(nn.Module):
    """Factorization machine over fields.

    ``logit_c = b_c + sum_i w_c(x_i) + sum_{i<j} <v_c(x_i), v_c(x_j)>``: one FM per
    output (class), sharing nothing but the input encoding.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    init_std : float, default=0.01
        Standard deviation of the weights' normal initialisation.
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    sparse : bool, default=False
        Sparse gradients for the embedding table.
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import FM
    >>> fm = FM(cardinalities=[5, 3], n_numeric=1, embed_dim=4)
    >>> cat = torch.tensor([[0, 2], [4, 1]])
    >>> num = torch.tensor([[0.5], [-1.0]])
    >>> fm(cat, num).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, n_outputs=1, init_std=0.01,
        zero_ids=(), sparse=False, vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.embed_dim = int(embed_dim)
        self.n_outputs = int(n_outputs)
        # One table holds each id's first-order weights and factors side by side:
        # one lookup and one (on a CPU, costly) embedding backward instead of two.
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, self.n_outputs * (1 + self.embed_dim),
            init_std, zero_ids, sparse=sparse, vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities,
        )  # fmt: skip
        self.bias = nn.Parameter(torch.zeros(self.n_outputs))

    def field_terms(self, cat, num, vec=None, bag=None):
        """Return the first-order terms and the embeddings of every field.

        A vector field's first-order term is a linear map of its vector (the
        first ``C`` columns of its projection).

        Parameters
        ----------
        cat : Tensor of shape (n, n_categorical)
            Ids of the categorical fields.
        num : Tensor of shape (n, n_numeric)
            Values of the numeric fields.
        vec : Tensor of shape (n, sum(vector_dims)) or None, default=None
            Values of the vector fields, side by side.
        bag : Tensor of shape (n, sum of bag lengths) or None, default=None
            Ids of the bag (multi-value) fields, padded with ``-1``.

        Returns
        -------
        linear : Tensor of shape (n, m, C)
            First-order term of each of the ``m`` fields, per output.
        embeddings : Tensor of shape (n, m, C, k)
            Embedding of each field, per output.
        """
        both = self.embedding(cat, num, vec, bag)
        n, m = both.shape[:2]
        linear = both[..., : self.n_outputs]
        emb = both[..., self.n_outputs :].reshape(n, m, self.n_outputs, self.embed_dim)
        return linear, emb

    def forward(self, cat, num, vec=None, bag=None):
        if self.embedding.sparse_training:
            # the large-table path: the fused interaction (the dense path keeps
            # autograd's graph, whose rounding the small-table fits are pinned to)
            both = self.embedding(cat, num, vec, bag)
            logits = self.bias + fm_logits(both, self.n_outputs)
            return _squeeze_outputs(logits, self.n_outputs)
        linear, emb = self.field_terms(cat, num, vec, bag)
        logits = self.bias + linear.sum(dim=1) + pairwise_interaction(emb)
        return _squeeze_outputs(logits, self.n_outputs)


class FwFM(nn.Module):
    """Field-weighted factorization machine (Pan et al., WWW 2018).

    ``logit_c = b_c + sum_i g_c(x_i) + sum_{i<j} r_{c,ij} <v(x_i), v(x_j)>`` with one
    learned weight ``r_ij`` per field pair (and output). The embeddings are shared by
    the outputs.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    linear_terms : {"embedded", "per_feature", "per_field"}, default="embedded"
        First-order terms: ``"per_feature"`` a scalar weight per id (the paper's
        LW); ``"embedded"`` ``<w_id, v_id>`` with a vector ``w_id`` per id (FeLV);
        ``"per_field"`` ``<w_field, v_id>`` with a vector per field (FiLV).
    init_std : float, default=0.01
        Standard deviation of the weights' normal initialisation.
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    sparse : bool, default=False
        Sparse gradients for the embedding table.
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
        With ``linear_terms="embedded"`` a vector field's first-order term is
        the sum of the extra ``k`` columns of its projection (a linear map of the
        vector), since ``<w, x @ W>`` with ``w`` taken from the projection would be
        quadratic in ``x``.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import FwFM
    >>> fwfm = FwFM(cardinalities=[5, 3, 4], n_numeric=0, embed_dim=4, n_outputs=3)
    >>> fwfm(torch.tensor([[0, 2, 3]]), torch.zeros(1, 0)).shape
    torch.Size([1, 3])
    >>> fwfm.pair_weight_matrix().shape  # symmetric, zero diagonal, per output
    torch.Size([3, 3, 3])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, n_outputs=1,
        linear_terms="embedded", init_std=0.01, zero_ids=(), sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.embed_dim = k = int(embed_dim)
        self.n_outputs = int(n_outputs)
        self.linear_terms = linear_terms
        widths = {"per_feature": self.n_outputs, "embedded": k * self.n_outputs,
                  "per_field": 0}  # fmt: skip
        if linear_terms not in widths:
            raise ValueError(f"Unknown linear_terms {linear_terms!r}.")
        # per-id first-order parameters sit beside the factors in one table
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, k + widths[linear_terms], init_std, zero_ids,
            sparse=sparse, vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities,
        )  # fmt: skip
        m = self.embedding.n_fields
        rows, cols = torch.triu_indices(m, m, offset=1)
        self.register_buffer("pair_rows", rows, persistent=False)
        self.register_buffer("pair_cols", cols, persistent=False)
        # one weight per pair and output, initialised as nn.Linear would (FuxiCTR
        # implements r_ij as a linear layer over the inner products)
        bound = 1.0 / max(rows.numel(), 1) ** 0.5
        self.pair_weight = nn.Parameter(
            torch.empty(self.n_outputs, rows.numel()).uniform_(-bound, bound)
        )
        if linear_terms == "per_field":
            self.field_linear = nn.Parameter(
                torch.randn(m, self.n_outputs, k) * init_std
            )
        self.bias = nn.Parameter(torch.zeros(self.n_outputs))

    def pair_weight_matrix(self):
        """Return the symmetric matrix of pair weights, with a zero diagonal.

        Returns
        -------
        weights : Tensor of shape (C, m, m)
            The learned weight ``r_ij`` of each pair of fields, per output.
        """
        m = self.embedding.n_fields
        R = self.pair_weight.new_zeros(self.n_outputs, m, m)
        R[:, self.pair_rows, self.pair_cols] = self.pair_weight
        return R + R.transpose(1, 2)

    def field_terms(self, cat, num, vec=None, bag=None):
        """Return the first-order terms and the embeddings of every field.

        Parameters
        ----------
        cat : Tensor of shape (n, n_categorical)
            Ids of the categorical fields.
        num : Tensor of shape (n, n_numeric)
            Values of the numeric fields.
        vec : Tensor of shape (n, sum(vector_dims)) or None, default=None
            Values of the vector fields, side by side.
        bag : Tensor of shape (n, sum of bag lengths) or None, default=None
            Ids of the bag (multi-value) fields, padded with ``-1``.

        Returns
        -------
        linear : Tensor of shape (n, m, C)
            First-order term of each of the ``m`` fields, per output.
        embeddings : Tensor of shape (n, m, k)
            Embedding of each field.
        """
        k = self.embed_dim
        both = self.embedding(cat, num, vec, bag)
        emb = both[..., :k]
        n, m = emb.shape[:2]
        if self.linear_terms == "per_feature":
            linear = both[..., k:]  # numeric fields: x * w_i, linear in x
        elif self.linear_terms == "embedded":
            w = both[..., k:].reshape(n, m, self.n_outputs, k)
            n_cat = self.embedding.n_categorical
            n_scalar = n_cat + self.embedding.n_numeric
            if self.embedding.n_numeric:
                # a numeric field embeds as x * [v_i, w_i]; <x w_i, x v_i> would be
                # quadratic in x, so its w_i is taken from the table unscaled
                w_num = self.embedding.numeric[:, k:].reshape(-1, self.n_outputs, k)
                w = torch.cat(
                    [w[:, :n_cat], w_num.expand(n, -1, -1, -1), w[:, n_scalar:]], dim=1
                )
            linear = (w[:, :n_scalar] * emb[:, :n_scalar].unsqueeze(2)).sum(-1)
            if self.embedding.n_vector or self.embedding.n_bags:
                # a vector or bag field: the sum of its extra columns, linear in
                # its values (a bag's: in its pooled rows)
                linear = torch.cat([linear, w[:, n_scalar:].sum(-1)], dim=1)
        else:
            linear = torch.einsum("nmk,mck->nmc", emb, self.field_linear)
        return linear, emb

    def average_rows(self, rows, weights):
        """The row that scores as the ``weights``-average of ``rows``.

        With ``linear_terms="embedded"`` a field's first-order term
        ``<w_i, v_i>`` is quadratic in its table row ``[v_i, w_i]``, so the mean
        row's term is not the mean term: ``w`` is moved along ``v`` until it is.
        The pair terms are linear in ``v`` and take the mean ``v`` as it is. Used
        for the ids no training row reached (see ``skfeat.models``).

        Parameters
        ----------
        rows : Tensor of shape (n_ids, k + width)
            Table rows of one categorical field.
        weights : Tensor of shape (n_ids,)
            Non-negative weights, not all zero.

        Returns
        -------
        row : Tensor of shape (k + width,)
            In float64.
        """
        rows = rows.double()
        weights = weights.double() / weights.sum()
        mean = weights @ rows
        if self.linear_terms != "embedded":
            return mean
        k, C = self.embed_dim, self.n_outputs
        v, w = rows[:, :k], rows[:, k:].reshape(-1, C, k)
        v_bar, w_bar = mean[:k], mean[k:].reshape(C, k)
        norm = v_bar @ v_bar
        if not bool(norm > 0):
            return mean
        target = weights @ (w * v[:, None, :]).sum(-1)  # (C,)
        gap = target - w_bar @ v_bar
        w_bar = w_bar + gap[:, None] * v_bar / norm
        return torch.cat([v_bar, w_bar.reshape(-1)])

    def forward(self, cat, num, vec=None, bag=None):
        linear, emb = self.field_terms(cat, num, vec, bag)
        # sum_{i<j} r_ij <e_i, e_j> = 1/2 sum_i <e_i, sum_j R_ij e_j>, R symmetric.
        # One (C m, m) x (m, n k) matrix product: gathering the m(m-1)/2 pairs, or
        # broadcasting an (n, m, m, k) product, is several times slower on a CPU.
        # In eval mode a broadcast product replaces the matmul, because BLAS gives
        # float32 results that depend on how many rows share a call, and a row's
        # prediction should not depend on its batch.
        R = self.pair_weight_matrix()  # (C, m, m)
        if self.training:
            mixed = torch.einsum("cij,njk->ncik", R, emb)
        else:
            mixed = (R[None, :, :, :, None] * emb[:, None, None, :, :]).sum(3)
        pairs = 0.5 * (mixed * emb[:, None, :, :]).sum((2, 3))  # n, C
        logits = self.bias + linear.sum(dim=1) + pairs
        return _squeeze_outputs(logits, self.n_outputs)


class SparseFM(nn.Module):
    """Factorization machine over libFM-style sparse rows (Rendle 2010).

    Every column is a feature with a value: ``logit = b + sum_f w_f x_f +
    sum_{f<g} <v_f, v_g> x_f x_g``, computed in O(nnz k). Rows arrive in CSR form:
    ``indptr`` (n + 1,), ``indices`` and ``values`` (nnz,).

    Parameters
    ----------
    n_features : int
        Number of columns (features) of the sparse rows.
    embed_dim : int
        Size of each field's embedding.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    init_std : float, default=0.01
        Standard deviation of the weights' normal initialisation.
    sparse : bool, default=False
        Sparse gradients for ``weight`` and ``factors``: a step's gradient holds
        the rows of the features its batch uses, not the whole ``n_features``-row
        tables (pair it with an optimizer that accepts sparse gradients).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import SparseFM
    >>> fm = SparseFM(n_features=6, embed_dim=2)
    >>> # two rows: {0: 1.0, 3: 2.0} and {5: 0.5}
    >>> fm(torch.tensor([0, 2, 3]), torch.tensor([0, 3, 5]),
    ...    torch.tensor([1.0, 2.0, 0.5])).shape
    torch.Size([2])
    """

    def __init__(self, n_features, embed_dim, n_outputs=1, init_std=0.01, sparse=False):
        super().__init__()
        self.embed_dim = int(embed_dim)
        self.n_outputs = int(n_outputs)
        self.sparse = bool(sparse)
        self.weight = nn.Parameter(torch.zeros(n_features, self.n_outputs))
        # drawn in place: ``randn(...) * std`` would hold two tables at once
        factors = torch.empty(n_features, self.n_outputs * self.embed_dim)
        self.factors = nn.Parameter(factors.normal_(0.0, init_std))
        self.bias = nn.Parameter(torch.zeros(self.n_outputs))

    def forward(self, indptr, indices, values):
        n = indptr.numel() - 1
        rows = torch.repeat_interleave(
            torch.arange(n, device=indptr.device), indptr[1:] - indptr[:-1]
        )
        x = values.unsqueeze(-1)
        linear = values.new_zeros(n, self.n_outputs)
        # F.embedding, not ``weight[indices]``: its backward can be sparse, while
        # indexing always gives a dense gradient over the whole table
        weight = nn.functional.embedding(indices, self.weight, sparse=self.sparse)
        linear.index_add_(0, rows, weight * x)
        factors = nn.functional.embedding(indices, self.factors, sparse=self.sparse)
        vx = factors * x
        total = vx.new_zeros(n, vx.shape[1]).index_add_(0, rows, vx)
        squares = torch.zeros_like(total).index_add_(0, rows, vx.pow(2))
        pair = 0.5 * (total.pow(2) - squares)
        pair = pair.view(n, self.n_outputs, self.embed_dim).sum(-1)
        logits = self.bias + linear + pair
        return _squeeze_outputs(logits, self.n_outputs)
