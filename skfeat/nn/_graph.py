"""Fi-GNN: feature interactions as message passing on a graph of fields (pure torch).

Li, Cui, Wu, Zhang and Wang, "Fi-GNN: Modeling Feature Interactions via Graph Neural
Networks for CTR Prediction", CIKM 2019. This follows FuxiCTR's FiGNN (the code
behind the BARS Frappe record): edge weights from attention over concatenated node
pairs, per-field input and output matrices (edge-wise transformation), a GRU state
update with a residual to the initial embeddings, and an attentional readout whose
node weights look at the whole graph. Like the other deep modules it computes in
float64 in eval mode (see :mod:`skfeat.nn._mlp`).
"""

import torch
from torch import nn
from torch.nn import functional as F

from skfeat.nn._embedding import FieldEmbedding
from skfeat.nn._mlp import Linear, _cast, eval_dtype, glorot_init_


class GRUCell(nn.Module):
    """A GRU cell (as ``nn.GRUCell``) that computes in the dtype of its input."""

    def __init__(self, size):
        super().__init__()
        self.input_map = Linear(size, 3 * size)
        self.hidden_map = Linear(size, 3 * size)

    def forward(self, x, h):
        xr, xz, xn = self.input_map(x).chunk(3, dim=-1)
        hr, hz, hn = self.hidden_map(h).chunk(3, dim=-1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * h


class FieldGraphLayer(nn.Module):
    """Fi-GNN message passing over a fully connected graph of ``m`` fields.

    ``steps`` rounds of: messages ``W_out[j] h_j`` weighted by the attention graph,
    aggregated, mapped by ``W_in[i]``, then a GRU update and a residual to the
    initial embeddings.

    Parameters
    ----------
    n_fields : int
    dim : int
    steps : int, default=3
    use_gru : bool, default=True
    use_residual : bool, default=True
    """

    def __init__(self, n_fields, dim, steps=3, use_gru=True, use_residual=True):
        super().__init__()
        self.n_fields, self.dim, self.steps = int(n_fields), int(dim), int(steps)
        self.attention = Linear(2 * dim, 1, bias=False)
        self.w_in = nn.ParameterList()
        self.w_out = nn.ParameterList()
        self.biases = nn.ParameterList()
        for _ in range(self.steps):
            w_in = nn.Parameter(torch.empty(n_fields, dim, dim))
            w_out = nn.Parameter(torch.empty(n_fields, dim, dim))
            nn.init.xavier_normal_(w_in)
            nn.init.xavier_normal_(w_out)
            self.w_in.append(w_in)
            self.w_out.append(w_out)
            self.biases.append(nn.Parameter(torch.zeros(dim)))
        self.gru = GRUCell(dim) if use_gru else None
        self.use_residual = use_residual

    def graph(self, h):
        """Attention weights ``(n, m, m)`` over the other fields (no self loops)."""
        m = self.n_fields
        src = h.unsqueeze(2).expand(-1, m, m, -1)
        dst = h.unsqueeze(1).expand(-1, m, m, -1)
        scores = F.leaky_relu(self.attention(torch.cat([src, dst], -1)).squeeze(-1))
        if m == 1:
            # one field has no neighbour: a softmax over an empty row would be NaN;
            # the graph has no edges, so messages are zero
            return torch.zeros_like(scores)
        eye = torch.eye(m, dtype=torch.bool, device=h.device)
        return torch.softmax(scores.masked_fill(eye, float("-inf")), dim=-1)

    def forward(self, emb):
        g = self.graph(emb)
        h = emb
        n, m, k = emb.shape
        for step in range(self.steps):
            w_out = _cast(self.w_out[step], h)
            w_in = _cast(self.w_in[step], h)
            messages = torch.einsum("mkl,nml->nmk", w_out, h)
            aggregated = torch.bmm(g, messages)
            a = torch.einsum("mkl,nml->nmk", w_in, aggregated)
            a = a + _cast(self.biases[step], h)
            if self.gru is not None:
                h = self.gru(a.reshape(n * m, k), h.reshape(n * m, k)).view(n, m, k)
            else:
                h = h + a
            if self.use_residual:
                h = h + emb
        return h


class FiGNN(nn.Module):
    """Fi-GNN model: field embeddings, graph layers, attentional readout.

    Parameters
    ----------
    cardinalities : sequence of int
    n_numeric : int
    embed_dim : int
    n_outputs : int, default=1
    steps : int, default=3
    use_gru : bool, default=True
    use_residual : bool, default=True
    init_std : float, default=1e-4
        Standard deviation of the embeddings' normal initialisation; the
        attention and readout layers start Glorot-normal (FuxiCTR's choices; the
        GRU keeps torch's default, as in FuxiCTR).
    zero_ids : sequence of int, default=()
    vector_dims : sequence of int, default=()
        Length of each vector field (see :class:`~skfeat.nn.FieldEmbedding`);
        their values come as ``vec`` after the numeric fields.
    bags, bag_cardinalities : sequence, default=()
        Bag (multi-value) fields and the ids of those with their own
        vocabulary (see :class:`~skfeat.nn.FieldEmbedding`).
    """

    def __init__(
        self, cardinalities, n_numeric, embed_dim, n_outputs=1, steps=3,
        use_gru=True, use_residual=True, init_std=1e-4, zero_ids=(),
        vector_dims=(), bags=(), bag_cardinalities=(),
    ):  # fmt: skip
        super().__init__()
        self.n_outputs = int(n_outputs)
        self.embedding = FieldEmbedding(
            cardinalities, n_numeric, embed_dim, init_std, zero_ids,
            vector_dims=vector_dims, bags=bags,
            bag_cardinalities=bag_cardinalities,
        )  # fmt: skip
        m = self.embedding.n_fields
        self.graph = FieldGraphLayer(m, embed_dim, steps, use_gru, use_residual)
        # readout: a score per node and output, weighted by attention over nodes
        self.node_score = Linear(embed_dim, self.n_outputs, bias=False)
        self.node_weight = Linear(m * embed_dim, m * self.n_outputs, bias=False)
        self.bias = nn.Parameter(torch.zeros(self.n_outputs))
        glorot_init_(self.graph.attention, self.node_score, self.node_weight)

    def forward(self, cat, num, vec=None, bag=None):
        emb = eval_dtype(self, self.embedding(cat, num, vec, bag))
        h = self.graph(emb)
        n, m, _ = h.shape
        scores = self.node_score(h)  # n, m, C
        weights = torch.sigmoid(self.node_weight(h.flatten(1))).view(n, m, -1)
        logits = (scores * weights).sum(1) + _cast(self.bias, h)
        return logits.squeeze(-1) if self.n_outputs == 1 else logits
