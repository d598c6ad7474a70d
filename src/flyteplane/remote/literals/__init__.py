"""Python values <-> flyteidl literals: the core types without flytekit, the rest through flytekit's TypeEngine."""

from flyteplane.remote.literals.blobs import Directory, File
from flyteplane.remote.literals.converter import LiteralConverter
from flyteplane.remote.literals.resolver import LiteralsResolver

__all__ = ["Directory", "File", "LiteralConverter", "LiteralsResolver"]
