"""Training beyond one process: data-parallel fits with torch DDP.

Grid searches need nothing from here: joblib's Dask and Ray backends run
scikit-learn's searches over skfeat estimators unchanged (see the user guide
page "Beyond one machine").
"""

from skfeat.distributed._ddp import fit_distributed, shard

__all__ = ["fit_distributed", "shard"]
