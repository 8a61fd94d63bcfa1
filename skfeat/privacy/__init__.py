"""Private training of skfeat models: DP-SGD through Opacus, federated averaging."""

from skfeat.privacy._dp import fit_private
from skfeat.privacy._federated import federated_average

__all__ = ["federated_average", "fit_private"]
