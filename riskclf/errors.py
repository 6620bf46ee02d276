"""Exceptions raised by riskclf.

Every error a user can cause derives from :class:`RiskclfError`; the CLI prints its message on one
line and exits 1. Anything else escaping the library is a bug.
"""

from __future__ import annotations


class RiskclfError(Exception):
    """Base class for errors caused by input, configuration or model files."""


class SchemaError(RiskclfError, ValueError):
    """An input table lacks columns, has unusable text, or labels outside the declared set."""


class ArtifactError(RiskclfError):
    """A model folder is missing, damaged, from an unknown format version or not trusted."""


class ConfigError(RiskclfError, ValueError):
    """A training configuration has unknown keys or values out of range."""


class InputError(RiskclfError):
    """An input or output path cannot be read or written."""
