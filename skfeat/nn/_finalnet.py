"""FinalNet (Zhu et al., SIGIR 2023): field-gated FINAL blocks.

Pure torch; the scikit-learn wrappers are in :mod:`skfeat.models._finalnet`.
Written from the paper ("FINAL: Factorized Interaction Layer for CTR
Prediction").
"""

import torch
from torch import nn

from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._mlp import (
    BatchNorm1d,
    Linear,
    eval_dtype,
    glorot_init_,
    make_activation,
    squeeze_outputs,
)


class FieldGate(nn.Module):
    """Field-wise gating: one weight ``2 * sigmoid(w_i^T x + b_i)`` per field.

    The gate of each field is computed from all of the flattened field
    embeddings ``x`` and scales that field's embedding; weights lie in
    ``(0, 2)``, and start near 1 since the embeddings start near zero.

    Parameters
    ----------
    n_fields : int
    embed_dim : int
        Embedding size of every field.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._finalnet import FieldGate
    >>> gate = FieldGate(3, 2)
    >>> gate(torch.randn(4, 3, 2)).shape
    torch.Size([4, 3, 2])
    """

    def __init__(self, n_fields, embed_dim):
        super().__init__()
        self.linear = Linear(int(n_fields) * int(embed_dim), int(n_fields))

    def weights(self, emb):
        """The ``(n, n_fields)`` gate weights for embeddings ``(n, m, k)``."""
        return 2.0 * torch.sigmoid(self.linear(emb.flatten(1)))

    def forward(self, emb):
        return emb * self.weights(emb).unsqueeze(-1)


class FactorizedInteractionLayer(nn.Module):
    """A FINAL layer: a linear layer extended by a factorised second-order term.

    ``h = W_1 x + b_1`` (the linear layer of an MLP), ``g = W_2 h + b_2`` (a
    second, successive projection) and ``z = h + h * g``: each unit adds to its
    linear value the product of two linear projections of the input, a
    factorised quadratic form ``sum_j W_2[i, j] h_i h_j`` in the spirit of a
    factorization machine. Then batch normalisation, activation and dropout, as
    in an MLP layer. Stacking ``L`` layers gives polynomial degree up to ``2^L``.

    Parameters
    ----------
    in_features : int
    out_features : int
    activation : str, default="relu"
        Activation after each FINAL layer.
    dropout : float, default=0.0
        Dropout after each layer (training only).
    batch_norm : bool, default=False

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._finalnet import FactorizedInteractionLayer
    >>> layer = FactorizedInteractionLayer(6, 4, activation="identity")
    >>> layer(torch.randn(3, 6)).shape
    torch.Size([3, 4])
    """

    def __init__(
        self, in_features, out_features, activation="relu", dropout=0.0,
        batch_norm=False,
    ):  # fmt: skip
        super().__init__()
        self.linear = Linear(int(in_features), int(out_features))
        self.interaction = Linear(int(out_features), int(out_features))
        tail = []
        if batch_norm:
            tail.append(BatchNorm1d(int(out_features)))
        tail.append(make_activation(activation))
        if dropout > 0:
            tail.append(nn.Dropout(dropout))
        self.tail = nn.Sequential(*tail)

    def pre_activation(self, x):
        """``h + h * g`` before normalisation and activation."""
        h = self.linear(x)
        return h + h * self.interaction(h)

    def forward(self, x):
        return self.tail(self.pre_activation(x))


class FinalBlock(nn.Module):
    """A FINAL block: stacked :class:`FactorizedInteractionLayer` s.

    Parameters
    ----------
    in_features : int
    hidden_units : sequence of int
        Width of each layer (at least one).
    activation : str, default="relu"
        Activation after each FINAL layer.
    dropout : float, default=0.0
        Dropout after each layer (training only).
    batch_norm : bool, default=False

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._finalnet import FinalBlock
    >>> FinalBlock(6, [8, 4])(torch.randn(3, 6)).shape
    torch.Size([3, 4])
    """

    def __init__(
        self, in_features, hidden_units, activation="relu", dropout=0.0,
        batch_norm=False,
    ):  # fmt: skip
        super().__init__()
        units = [int(u) for u in hidden_units]
        if not units or min(units) < 1:
            raise ValueError(
                "hidden_units must be a non-empty sequence of positive integers, "
                f"got {hidden_units!r}."
            )
        widths = [int(in_features), *units]
        self.layers = nn.Sequential(
            *(
                FactorizedInteractionLayer(a, b, activation, dropout, batch_norm)
                for a, b in zip(widths[:-1], widths[1:], strict=True)
            )
        )
        self.out_features = units[-1]

    def forward(self, x):
        return self.layers(x)


class FinalNet(nn.Module):
    """FinalNet (Zhu et al., SIGIR 2023) over fields: one or two FINAL blocks.

    Each block reads the flattened field embeddings, through its own
    :class:`FieldGate` when ``field_gate`` is true, and ends in a linear output
    layer; with two blocks the logit is the mean of theirs.

    Parameters
    ----------
    cardinalities : sequence of int
        Ids of each categorical field, reserved ids included.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Embedding size of every field.
    block1_hidden_units : sequence of int
        Widths of the first FINAL block's layers.
    block2_hidden_units : sequence of int or None, default=None
        Widths of a second block; ``None`` for the one-block model.
    n_outputs : int, default=1
        Logits per row (1 for binary classification and regression).
    activation : str, default="relu"
        Activation after each FINAL layer.
    dropout : float, default=0.0
        Dropout after each layer (training only).
    batch_norm : bool, default=False
        Batch-normalise each FINAL layer's output.
    field_gate : bool, default=True
        Weight each field's embedding by a learned gate before the block.
    init_std : float, default=1e-4
        Standard deviation of the embeddings' normal initialisation (FuxiCTR's);
        linear layers start Glorot-normal with zero biases (``glorot_init_``).
    zero_ids : sequence of int, default=()
        Ids whose embeddings start at zero (the reserved ids).
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
    >>> from skfeat.nn import FinalNet
    >>> model = FinalNet([3, 4], 1, embed_dim=2, block1_hidden_units=[8],
    ...                  block2_hidden_units=[4])
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.randn(2, 1)).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, block1_hidden_units,
        block2_hidden_units=None, n_outputs=1, activation="relu", dropout=0.0,
        batch_norm=False, field_gate=True, init_std=1e-4, zero_ids=(), sparse=False,
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities, sparse=sparse,
        )  # fmt: skip
        m = self.embedding.n_fields
        width = m * int(embed_dim)
        units = [block1_hidden_units]
        if block2_hidden_units is not None:
            units.append(block2_hidden_units)
        self.gates = nn.ModuleList(
            FieldGate(m, embed_dim) if field_gate else nn.Identity() for _ in units
        )
        self.blocks = nn.ModuleList(
            FinalBlock(width, u, activation, dropout, batch_norm) for u in units
        )
        self.outputs = nn.ModuleList(
            Linear(block.out_features, self.n_outputs) for block in self.blocks
        )
        glorot_init_(self)

    def block_logits(self, cat, num, vec=None, bag=None):
        """Return the logits of each block.

        Parameters
        ----------
        cat : Tensor of shape (n, n_categorical)
            Categorical ids.
        num : Tensor of shape (n, n_numeric)
            Numeric values.
        vec : Tensor of shape (n, sum of vector_dims) or None, default=None
            Vector fields' values.
        bag : Tensor of shape (n, sum of bag lengths) or None, default=None
            Ids of the bag (multi-value) fields, padded with ``-1``.

        Returns
        -------
        logits : list of Tensor of shape (n, n_outputs)
            One per block.
        """
        emb = eval_dtype(self, self.embedding(cat, num, vec, bag))
        return [
            out(block(gate(emb).flatten(1)))
            for gate, block, out in zip(
                self.gates, self.blocks, self.outputs, strict=True
            )
        ]

    def forward(self, cat, num, vec=None, bag=None):
        logits = self.block_logits(cat, num, vec, bag)
        fused = logits[0] if len(logits) == 1 else 0.5 * (logits[0] + logits[1])
        return squeeze_outputs(fused, self.n_outputs)
