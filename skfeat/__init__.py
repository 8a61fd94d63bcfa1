"""skfeat: scikit-learn compatible feature-interaction models for CTR."""

__version__ = "0.1.0.dev0"
