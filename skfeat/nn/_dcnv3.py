"""DCNv3 (Li et al., 2024): linear and exponential cross networks, Tri-BCE loss.

Pure torch; the scikit-learn wrappers are in :mod:`skfeat.models._dcnv3`.
Written from the paper ("DCNv3: Towards Next Generation Deep Cross Network for
CTR Prediction", arXiv:2407.13349, later titled "FCN: Fusing Exponential and
Linear Cross Network").
"""

import torch
import torch.nn.functional as F
from torch import nn

from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._mlp import (
    BatchNorm1d,
    LayerNorm,
    Linear,
    eval_dtype,
    glorot_init_,
    squeeze_outputs,
)


def self_mask(c, norm):
    """The paper's Self-Mask: ``c * max(0, LayerNorm(c))``.

    Layer normalisation centres each row of ``c`` on zero, so the mask keeps the
    entries above the row's (normalised) mean, about half of them, and zeroes
    the rest.

    Parameters
    ----------
    c : Tensor of shape (n, d)
    norm : LayerNorm
        Normalisation over the last dimension of ``c``.

    Returns
    -------
    masked : Tensor of shape (n, d)

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._dcnv3 import self_mask
    >>> from skfeat.nn._mlp import LayerNorm
    >>> c = torch.tensor([[1.0, -2.0, 3.0, 0.0]])
    >>> self_mask(c, LayerNorm(4)).ne(0).sum().item()
    2
    """
    return c * torch.relu(norm(c))


class MaskedCrossLayer(nn.Module):
    """One DCNv3 cross layer: ``base * [c || SelfMask(c)] + x`` with ``c = W x + b``.

    ``W`` maps the ``d``-wide input to ``ceil(d / 2)`` units; the cross vector and
    its masked copy are concatenated back to width ``d`` (the last entry dropped
    when ``d`` is odd). With ``base = x_1`` (the input embeddings) this is a layer
    of the linear cross network, with ``base = x`` one of the exponential cross
    network.

    Parameters
    ----------
    width : int
        Width ``d`` of the input and of the output.
    dropout : float, default=0.0
        Dropout on the layer's output (training only).
    batch_norm : bool, default=False
        Batch-normalise ``c`` (``c = BN(W x + b)``), which puts the cross vector
        on a unit scale whatever the scale of the embeddings.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._dcnv3 import MaskedCrossLayer
    >>> layer = MaskedCrossLayer(6)
    >>> x = torch.randn(3, 6)
    >>> layer(x, x).shape
    torch.Size([3, 6])
    """

    def __init__(self, width, dropout=0.0, batch_norm=False):
        super().__init__()
        self.width = int(width)
        half = (self.width + 1) // 2
        self.linear = Linear(self.width, half)
        self.batch_norm = BatchNorm1d(half) if batch_norm else nn.Identity()
        self.norm = LayerNorm(half)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def cross_vector(self, x):
        """``[c || SelfMask(c)]`` of width ``d`` for input ``x``."""
        c = self.batch_norm(self.linear(x))
        return torch.cat([c, self_mask(c, self.norm)], dim=-1)[..., : self.width]

    def forward(self, base, x):
        return self.dropout(base * self.cross_vector(x) + x)


class LinearCrossNet(nn.Module):
    """DCNv3's linear cross network (LCN): ``x_{l+1} = x_1 * [c_l || M(c_l)] + x_l``.

    Every layer multiplies by the input ``x_1``, so ``n_layers`` layers reach
    feature crosses of order ``n_layers + 1`` (linear growth).

    Parameters
    ----------
    width : int
        Width of ``x_1`` (the concatenated field embeddings).
    n_layers : int
        Number of cross layers (at least one).
    dropout : float, default=0.0
        Dropout on each layer's output (training only).
    batch_norm : bool, default=False
        Batch-normalise each layer's ``c`` (see :class:`MaskedCrossLayer`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._dcnv3 import LinearCrossNet
    >>> LinearCrossNet(8, n_layers=2)(torch.randn(3, 8)).shape
    torch.Size([3, 8])
    """

    def __init__(self, width, n_layers, dropout=0.0, batch_norm=False):
        super().__init__()
        if int(n_layers) < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers!r}.")
        self.layers = nn.ModuleList(
            MaskedCrossLayer(width, dropout, batch_norm) for _ in range(int(n_layers))
        )

    def forward(self, x1):
        x = x1
        for layer in self.layers:
            x = layer(x1, x)
        return x


class ExponentialCrossNet(nn.Module):
    """DCNv3's exponential cross network (ECN).

    ``x_{2^l} = x_{2^(l-1)} * [c_l || M(c_l)] + x_{2^(l-1)}``: every layer
    multiplies by its own input, so ``n_layers`` layers reach feature crosses of
    order ``2^n_layers`` (exponential growth).

    Parameters
    ----------
    width : int
        Width of the input (the concatenated field embeddings).
    n_layers : int
        Number of cross layers (at least one).
    dropout : float, default=0.0
        Dropout on each layer's output (training only).
    batch_norm : bool, default=False
        Batch-normalise each layer's ``c`` (see :class:`MaskedCrossLayer`).

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._dcnv3 import ExponentialCrossNet
    >>> ExponentialCrossNet(8, n_layers=2)(torch.randn(3, 8)).shape
    torch.Size([3, 8])
    """

    def __init__(self, width, n_layers, dropout=0.0, batch_norm=False):
        super().__init__()
        if int(n_layers) < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers!r}.")
        self.layers = nn.ModuleList(
            MaskedCrossLayer(width, dropout, batch_norm) for _ in range(int(n_layers))
        )

    def forward(self, x1):
        x = x1
        for layer in self.layers:
            x = layer(x, x)
        return x


class DCNv3(nn.Module):
    """DCNv3 (Li et al., 2024) over fields: LCN and ECN, logits averaged.

    Both cross networks read the concatenated field embeddings ``x_1``; each has
    its own linear output layer, and the model's logit is the mean of the two
    sub-network logits. There is no MLP.

    In training mode with ``sub_logits_in_training=True`` (and one output) the
    forward pass returns ``(n, 3)``: the fused logit, the LCN logit and the ECN
    logit, for :class:`TriBCELoss`; in eval mode, and otherwise, it returns the
    fused logits only (``(n,)`` for one output, ``(n, n_outputs)`` otherwise).

    Parameters
    ----------
    cardinalities : sequence of int
        Ids of each categorical field, reserved ids included.
    n_numeric : int
        Number of numeric fields.
    embed_dim : int
        Embedding size of every field.
    n_outputs : int, default=1
        Logits per row (1 for binary classification and regression).
    lcn_layers : int, default=3
        Layers of the linear cross network.
    ecn_layers : int, default=3
        Layers of the exponential cross network.
    dropout : float, default=0.0
        Dropout on each cross layer's output (training only).
    batch_norm : bool, default=False
        Batch-normalise each cross layer's ``c`` (see :class:`MaskedCrossLayer`).
    sub_logits_in_training : bool, default=False
        Return the two sub-network logits beside the fused one in training mode
        (one output only).
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
    >>> from skfeat.nn import DCNv3
    >>> model = DCNv3([3, 4], 1, embed_dim=2, lcn_layers=2, ecn_layers=2)
    >>> model(torch.tensor([[0, 1], [2, 3]]), torch.randn(2, 1)).shape
    torch.Size([2])
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, n_outputs=1, lcn_layers=3,
        ecn_layers=3, dropout=0.0, batch_norm=False, sub_logits_in_training=False,
        init_std=1e-4,
        zero_ids=(), sparse=False, vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.sub_logits_in_training = bool(sub_logits_in_training)
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities, sparse=sparse,
        )  # fmt: skip
        width = self.embedding.n_fields * int(embed_dim)
        self.lcn = LinearCrossNet(width, lcn_layers, dropout, batch_norm)
        self.ecn = ExponentialCrossNet(width, ecn_layers, dropout, batch_norm)
        self.lcn_output = Linear(width, self.n_outputs)
        self.ecn_output = Linear(width, self.n_outputs)
        glorot_init_(self)

    def sub_logits(self, cat, num, vec=None, bag=None):
        """Return the two sub-networks' logits.

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
        lcn, ecn : Tensor of shape (n, n_outputs)
            The linear and the exponential cross network's logits.
        """
        x1 = eval_dtype(self, self.embedding(cat, num, vec, bag)).flatten(1)
        return self.lcn_output(self.lcn(x1)), self.ecn_output(self.ecn(x1))

    def forward(self, cat, num, vec=None, bag=None):
        lcn, ecn = self.sub_logits(cat, num, vec, bag)
        fused = 0.5 * (lcn + ecn)
        if self.training and self.sub_logits_in_training and self.n_outputs == 1:
            return torch.cat([fused, lcn, ecn], dim=1)
        return squeeze_outputs(fused, self.n_outputs)


class TriBCELoss(nn.Module):
    """DCNv3's Tri-BCE loss: ``L + w_lcn L_lcn + w_ecn L_ecn``.

    ``L``, ``L_lcn`` and ``L_ecn`` are the batch's mean binary cross-entropies of
    the fused, LCN and ECN logits (columns 0, 1 and 2 of the input), and each
    sub-network's weight is ``w = max(0, L_sub - L)`` (computed, as in the paper,
    without stopping its gradient): a sub-network is supervised only while it is
    worse than the fused prediction. A 1-d input (the fused logits alone, as the
    model gives them in eval mode) gets the plain binary cross-entropy.

    With ``reduction="none"`` the loss is returned per row as
    ``l_i + w_lcn l_lcn_i + w_ecn l_ecn_i`` with the batch weights, whose mean is
    the Tri-BCE of the batch.

    Parameters
    ----------
    reduction : {"mean", "none"}, default="mean"

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn._dcnv3 import TriBCELoss
    >>> logits = torch.tensor([[0.5, 0.2, 1.0], [-1.0, -0.5, 0.3]])
    >>> y = torch.tensor([1.0, 0.0])
    >>> round(TriBCELoss()(logits, y).item(), 4)
    0.581
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in ("mean", "none"):
            raise ValueError(f"reduction must be 'mean' or 'none', got {reduction!r}.")
        self.reduction = reduction

    def forward(self, input, target):
        target = target.to(input.dtype)
        if input.dim() == 1:
            loss = F.binary_cross_entropy_with_logits(input, target, reduction="none")
        else:
            per_row = F.binary_cross_entropy_with_logits(
                input, target.unsqueeze(1).expand_as(input), reduction="none"
            )
            means = per_row.mean(dim=0)
            weights = torch.clamp_min(means[1:] - means[0], 0.0)
            loss = per_row[:, 0] + per_row[:, 1:] @ weights
        return loss if self.reduction == "none" else loss.mean()
