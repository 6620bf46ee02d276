"""riskclf: a regional security-risk text classifier.

Train TF-IDF linear models for the risk level and the theme of news articles, score new articles,
evaluate a model, and roll scores up by place and time.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
