"""Deep CTR model modules: DNN, Wide & Deep, DeepFM, DCN-v2, AutoInt (pure torch).

Each takes field inputs (``cat`` ids and ``num`` values, see
:class:`~skfeat.nn.FieldEmbedding`) and returns logits of shape ``(n,)`` when
``n_outputs == 1`` and ``(n, n_outputs)`` otherwise. In eval mode they compute in
float64 (see :mod:`skfeat.nn._mlp`), so a row's output does not depend on the
other rows of its batch.
"""

import torch
from torch import nn

from skfeat.nn._attention import FieldSelfAttention
from skfeat.nn._cross import CrossNetV2
from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._fm import FM, fm_logits, pairwise_interaction
from skfeat.nn._mlp import (
    MLP,
    Linear,
    eval_dtype,
    fast_matmuls,
    glorot_init_,
    squeeze_outputs,
)

#: DeepFM's MLP runs its training products in bfloat16 on the large-table path
#: where the CPU has native bfloat16 (see :func:`~skfeat.nn._mlp.fast_matmuls`)
_BF16_LARGE_TABLES = True


class DNN(nn.Module):
    """An MLP over the concatenated field embeddings.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    hidden_units : sequence of int
        Widths of the MLP's hidden layers.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    activation : str, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation in each hidden layer.
    init_std : float, default=1e-4
        Standard deviation of the embeddings' normal initialisation (FuxiCTR's);
        linear layers start Glorot-normal with zero biases (``glorot_init_``).
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    sparse : bool, default=False
        Sparse gradients for the embedding table (pair it with an optimizer
        that accepts them, such as skfeat's row-sparse one).
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import DNN
    >>> model = DNN([3, 4], 1, embed_dim=2, hidden_units=[8])
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.randn(2, 1)).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, hidden_units, n_outputs=1,
        activation="relu", dropout=0.0, batch_norm=False, init_std=1e-4, zero_ids=(),
        sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities, sparse=sparse,
        )  # fmt: skip
        width = self.embedding.n_fields * int(embed_dim)
        self.mlp = MLP(
            width, hidden_units, activation, dropout, batch_norm, self.n_outputs
        )
        glorot_init_(self)

    def forward(self, cat, num, vec=None, bag=None):
        emb = eval_dtype(self, self.embedding(cat, num, vec, bag))
        return squeeze_outputs(self.mlp(emb.flatten(1)), self.n_outputs)


class WideDeep(nn.Module):
    """Wide & Deep (Cheng et al., DLRS 2016) over fields.

    ``logit = b + sum_i w(x_i) + MLP(concat_i e(x_i))``: the wide part is a
    first-order weight per id (numeric fields: value times a weight), the deep part
    an MLP over the field embeddings. Both come from one table.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    hidden_units : sequence of int
        Widths of the MLP's hidden layers.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    activation : str, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation in each hidden layer.
    init_std : float, default=1e-4
        Standard deviation of the embeddings' normal initialisation (FuxiCTR's);
        linear layers start Glorot-normal with zero biases (``glorot_init_``).
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    sparse : bool, default=False
        Sparse gradients for the embedding table (pair it with an optimizer
        that accepts them, such as skfeat's row-sparse one).
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import WideDeep
    >>> model = WideDeep([3, 4], 0, embed_dim=2, hidden_units=[8], n_outputs=3)
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.empty(2, 0)).shape
    torch.Size([2, 3])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, hidden_units, n_outputs=1,
        activation="relu", dropout=0.0, batch_norm=False, init_std=1e-4, zero_ids=(),
        sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.embed_dim = int(embed_dim)
        # wide weights and deep embeddings side by side: one lookup, one backward
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, self.n_outputs + self.embed_dim, init_std,
            zero_ids, vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities, sparse=sparse,
        )  # fmt: skip
        self.bias = nn.Parameter(torch.zeros(self.n_outputs))
        width = self.embedding.n_fields * self.embed_dim
        self.mlp = MLP(
            width, hidden_units, activation, dropout, batch_norm, self.n_outputs
        )
        glorot_init_(self)

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
        both = eval_dtype(self, self.embedding(cat, num, vec, bag))
        return both[..., : self.n_outputs], both[..., self.n_outputs :]

    def wide_output(self, linear):
        """Return the wide part's output from the first-order terms.

        Parameters
        ----------
        linear : Tensor of shape (n, m, C)
            First-order terms, as :meth:`field_terms` returns them.

        Returns
        -------
        output : Tensor of shape (n, C)
            The bias plus the sum of the first-order terms.
        """
        return self.bias.to(linear.dtype) + linear.sum(dim=1)

    def forward(self, cat, num, vec=None, bag=None):
        linear, emb = self.field_terms(cat, num, vec, bag)
        logits = self.wide_output(linear) + self.mlp(emb.flatten(1))
        return squeeze_outputs(logits, self.n_outputs)


class DeepFM(nn.Module):
    """DeepFM (Guo et al., IJCAI 2017): an FM and an MLP sharing the embeddings.

    ``logit = FM(x) + MLP(concat_i v(x_i))``, with the FM layer of
    :class:`~skfeat.nn.FM` (one FM per output; the MLP reads all of their factors).

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    hidden_units : sequence of int
        Widths of the MLP's hidden layers.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    activation : str, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation in each hidden layer.
    init_std : float, default=1e-4
        Standard deviation of the embeddings' normal initialisation (FuxiCTR's);
        linear layers start Glorot-normal with zero biases (``glorot_init_``).
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    sparse : bool, default=False
        Sparse gradients for the embedding table (pair it with an optimizer
        that accepts them, such as skfeat's row-sparse one).
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import DeepFM
    >>> model = DeepFM([3, 4], 1, embed_dim=2, hidden_units=[8])
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.randn(2, 1)).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, hidden_units, n_outputs=1,
        activation="relu", dropout=0.0, batch_norm=False, init_std=1e-4, zero_ids=(),
        sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.fm = FM(
            cardinalities, n_numeric, embed_dim, self.n_outputs, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities, sparse=sparse,
        )  # fmt: skip
        width = self.fm.embedding.n_fields * self.n_outputs * int(embed_dim)
        self.mlp = MLP(
            width, hidden_units, activation, dropout, batch_norm, self.n_outputs
        )
        glorot_init_(self)

    def field_terms(self, cat, num, vec=None, bag=None):
        """Return the FM's first-order terms and embeddings of every field.

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
        linear, emb = self.fm.field_terms(cat, num, vec, bag)
        return eval_dtype(self, linear), eval_dtype(self, emb)

    def deep_output(self, emb):
        """Return the MLP's logits from the FM embeddings.

        Parameters
        ----------
        emb : Tensor of shape (n, m, C, k)
            Embeddings, as :meth:`field_terms` returns them.

        Returns
        -------
        logits : Tensor of shape (n, C)
            The deep part's output.
        """
        return self.mlp(emb.flatten(1))

    def forward(self, cat, num, vec=None, bag=None):
        if self.fm.embedding.sparse_training:
            # the large-table path: the FM part's fused backward (see FM.forward)
            both = self.fm.embedding(cat, num, vec, bag)
            c = self.n_outputs
            pairs, x = fm_logits(both, c, with_factors=True)
            fm = self.fm.bias + pairs
            if _BF16_LARGE_TABLES:
                with fast_matmuls(x):
                    deep = self.mlp(x).float()
            else:
                deep = self.mlp(x)
            return squeeze_outputs(fm + deep, c)
        linear, emb = self.field_terms(cat, num, vec, bag)
        fm = self.fm.bias.to(linear.dtype) + linear.sum(1) + pairwise_interaction(emb)
        return squeeze_outputs(fm + self.deep_output(emb), self.n_outputs)


class DCNv2(nn.Module):
    """DCN-v2 (Wang et al., WWW 2021): a cross network and an MLP.

    ``structure="parallel"`` concatenates ``CrossNet(x0)`` and ``MLP(x0)`` before a
    linear output layer; ``"stacked"`` feeds the cross network into the MLP;
    ``"crossnet_only"`` has no MLP. ``x0`` is the concatenated field embeddings.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    hidden_units : sequence of int
        Ignored for ``"crossnet_only"``.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    cross_layers : int, default=3
        Number of cross layers.
    low_rank : int or None, default=None
        Rank of each cross layer's weight matrix; ``None`` is full rank.
    structure : {"parallel", "stacked", "crossnet_only"}, default="parallel"
    activation : str, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation in each hidden layer.
    init_std : float, default=1e-4
        Standard deviation of the embeddings' normal initialisation (FuxiCTR's);
        linear layers start Glorot-normal with zero biases (``glorot_init_``).
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    sparse : bool, default=False
        Sparse gradients for the embedding table (pair it with an optimizer
        that accepts them, such as skfeat's row-sparse one).
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import DCNv2
    >>> model = DCNv2([3, 4], 0, embed_dim=2, hidden_units=[8], cross_layers=2)
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.empty(2, 0)).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, hidden_units, n_outputs=1,
        cross_layers=3, low_rank=None, structure="parallel", activation="relu",
        dropout=0.0, batch_norm=False, init_std=1e-4, zero_ids=(),
        sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        if structure not in ("parallel", "stacked", "crossnet_only"):
            raise ValueError(f"Unknown structure {structure!r}.")
        self.n_outputs = int(n_outputs)
        self.structure = structure
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities, sparse=sparse,
        )  # fmt: skip
        width = self.embedding.n_fields * int(embed_dim)
        self.cross = CrossNetV2(width, cross_layers, low_rank)
        self.mlp = None
        out_width = width
        if structure != "crossnet_only":
            self.mlp = MLP(width, hidden_units, activation, dropout, batch_norm)
            out_width = self.mlp.out_features + (
                width if structure == "parallel" else 0
            )
        self.output = Linear(out_width, self.n_outputs)
        glorot_init_(self)

    def forward(self, cat, num, vec=None, bag=None):
        x0 = eval_dtype(self, self.embedding(cat, num, vec, bag)).flatten(1)
        if self.structure == "parallel":
            h = torch.cat([self.cross(x0), self.mlp(x0)], dim=1)
        elif self.structure == "stacked":
            h = self.mlp(self.cross(x0))
        else:
            h = self.cross(x0)
        return squeeze_outputs(self.output(h), self.n_outputs)


class AutoInt(nn.Module):
    """AutoInt (Song et al., CIKM 2019): stacked self-attention over the fields.

    ``logit = w^T concat_i h_i (+ MLP(concat_i e_i) for AutoInt+)``, where ``h`` is
    the output of ``attention_layers`` :class:`FieldSelfAttention` layers.

    Parameters
    ----------
    cardinalities : sequence of int
        Number of ids of each categorical field.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Size of each field's embedding.
    hidden_units : sequence of int or None
        Widths of the parallel MLP (AutoInt+); ``None`` for plain AutoInt.
    n_outputs : int, default=1
        Number of outputs: 1 for a binary or regression target, else one
        per class.
    attention_layers : int, default=3
        Number of self-attention layers.
    num_heads : int, default=2
        Attention heads per layer; must divide ``attention_dim``.
    attention_dim : int, default=40
        Output width of each attention layer (all heads together).
    residual : bool, default=True
        Residual connections in the attention layers.
    layer_norm : bool, default=False
        Layer normalisation after each attention layer.
    use_scale : bool, default=False
        Scale the attention scores by ``1 / sqrt(attention_dim / num_heads)``.
    attention_dropout : float, default=0.0
        Dropout on the attention weights (training only).
    activation : str, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout rate after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation in each hidden layer.
    init_std : float, default=1e-4
        Standard deviation of the embeddings' normal initialisation (FuxiCTR's);
        linear layers start Glorot-normal with zero biases (``glorot_init_``).
    zero_ids : sequence of int, default=()
        Ids (within each field) whose rows start at zero, e.g. the id for
        unknown categories (see :class:`~skfeat.nn.FieldEmbedding`).
    sparse : bool, default=False
        Sparse gradients for the embedding table (pair it with an optimizer
        that accepts them, such as skfeat's row-sparse one).
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import AutoInt
    >>> model = AutoInt([3, 4], 0, 4, None, attention_layers=2, attention_dim=8)
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.empty(2, 0)).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, hidden_units, n_outputs=1,
        attention_layers=3, num_heads=2, attention_dim=40, residual=True,
        layer_norm=False, use_scale=False, attention_dropout=0.0, activation="relu",
        dropout=0.0, batch_norm=False, init_std=1e-4, zero_ids=(),
        sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        if int(attention_layers) < 1:
            raise ValueError(
                f"attention_layers must be at least 1, got {attention_layers!r}."
            )
        self.n_outputs = int(n_outputs)
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities, sparse=sparse,
        )  # fmt: skip
        m = self.embedding.n_fields
        dims = [int(embed_dim)] + [int(attention_dim)] * int(attention_layers)
        self.attention = nn.Sequential(
            *(
                FieldSelfAttention(
                    d_in,
                    d_out,
                    num_heads,
                    residual,
                    layer_norm,
                    use_scale,
                    attention_dropout,
                )
                for d_in, d_out in zip(dims[:-1], dims[1:], strict=True)
            )
        )
        self.output = Linear(m * int(attention_dim), self.n_outputs)
        self.mlp = None
        if hidden_units is not None:
            self.mlp = MLP(
                m * int(embed_dim), hidden_units, activation, dropout, batch_norm,
                self.n_outputs,
            )  # fmt: skip
        glorot_init_(self)

    def forward(self, cat, num, vec=None, bag=None):
        emb = eval_dtype(self, self.embedding(cat, num, vec, bag))
        logits = self.output(self.attention(emb).flatten(1))
        if self.mlp is not None:
            logits = logits + self.mlp(emb.flatten(1))
        return squeeze_outputs(logits, self.n_outputs)
