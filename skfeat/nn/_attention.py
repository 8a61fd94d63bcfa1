"""Multi-head self-attention over field embeddings (AutoInt, Song et al. CIKM 2019)."""

import torch
from torch import nn

from skfeat.nn._mlp import LayerNorm, Linear


class FieldSelfAttention(nn.Module):
    """One AutoInt interacting layer over the fields of a row.

    For each head ``h``: ``alpha_ij = softmax_j <W_Q e_i, W_K e_j>`` and
    ``e~_i = sum_j alpha_ij W_V e_j``; the heads are concatenated, a residual
    ``W_res e_i`` (the identity when the widths agree) is added, optionally layer
    normalised, and passed through a ReLU.

    Parameters
    ----------
    in_dim : int
        Width of each field's input vector.
    attention_dim : int
        Width of the output, split evenly across heads.
    num_heads : int, default=1
        Number of heads; must divide ``attention_dim``.
    residual : bool, default=True
        Add the (projected) input to the attention output.
    layer_norm : bool, default=False
        Layer normalisation of the output before the ReLU.
    use_scale : bool, default=False
        Divide the attention scores by ``sqrt(head_dim)``.
    dropout : float, default=0.0
        Dropout on the attention weights (after the softmax), in training only;
        FuxiCTR's AutoInt applies its network dropout here.

    Examples
    --------
    >>> import torch
    >>> from skfeat.nn import FieldSelfAttention
    >>> layer = FieldSelfAttention(4, attention_dim=8, num_heads=2)
    >>> layer(torch.randn(3, 5, 4)).shape
    torch.Size([3, 5, 8])
    """

    def __init__(
        self, in_dim, attention_dim, num_heads=1, residual=True, layer_norm=False,
        use_scale=False, dropout=0.0,
    ):  # fmt: skip
        super().__init__()
        if int(num_heads) < 1 or int(attention_dim) % int(num_heads):
            raise ValueError(
                f"num_heads={num_heads!r} must be a positive divisor of "
                f"attention_dim={attention_dim!r}."
            )
        self.num_heads = int(num_heads)
        self.head_dim = int(attention_dim) // self.num_heads
        self.use_scale = use_scale
        self.query = Linear(in_dim, attention_dim, bias=False)
        self.key = Linear(in_dim, attention_dim, bias=False)
        self.value = Linear(in_dim, attention_dim, bias=False)
        self.residual = None
        if residual:
            self.residual = (
                nn.Identity()
                if int(in_dim) == int(attention_dim)
                else Linear(in_dim, attention_dim, bias=False)
            )
        self.norm = LayerNorm(attention_dim) if layer_norm else None
        self.dropout = nn.Dropout(float(dropout)) if dropout else None

    def _heads(self, x):
        n, m, _ = x.shape
        return x.view(n, m, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, emb):
        q, k, v = (self._heads(f(emb)) for f in (self.query, self.key, self.value))
        scores = q @ k.transpose(-1, -2)
        if self.use_scale:
            scores = scores / self.head_dim**0.5
        attention = torch.softmax(scores, dim=-1)
        if self.dropout is not None:
            attention = self.dropout(attention)
        out = (attention @ v).transpose(1, 2).reshape(emb.shape[0], emb.shape[1], -1)
        if self.residual is not None:
            out = out + self.residual(emb)
        if self.norm is not None:
            out = self.norm(out)
        return torch.relu(out)
