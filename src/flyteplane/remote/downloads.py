"""`remote.download(...)`: writing inputs or outputs to disk, files and directories included.

Each variable becomes `<download_to>/<name>`: blobs are fetched (files through the data proxy's signed URLs,
directories with fsspec), collections and maps of blobs become folders of their items, and every other value is
written as its JSON-ish text so a whole output set lands on disk in one call.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyteplane.remote.context import RemoteContext
from flyteplane.remote.literals.resolver import LiteralsResolver

__all__ = ["download"]


def _literals(data: Any) -> dict[str, literals_pb2.Literal]:
    if isinstance(data, LiteralsResolver):
        return data.literals
    if isinstance(data, literals_pb2.LiteralMap):
        return dict(data.literals)
    render = getattr(data, "to_flyte_idl", None)
    if callable(render):
        rendered = render()
        if isinstance(rendered, literals_pb2.LiteralMap):
            return dict(rendered.literals)
    literals = getattr(data, "literals", None)  # flytekit's LiteralsResolver and LiteralMap models
    if isinstance(literals, dict):
        return {k: v if isinstance(v, literals_pb2.Literal) else v.to_flyte_idl() for k, v in literals.items()}
    raise TypeError(f"cannot download a {type(data).__name__}; pass execution.outputs, inputs or a LiteralMap")


def _download_literal(ctx: RemoteContext, name: str, literal: literals_pb2.Literal, folder: Path) -> None:
    target = folder / name
    which = literal.WhichOneof("value")
    if which == "scalar" and literal.scalar.WhichOneof("value") == "blob":
        blob = literal.scalar.blob
        multipart = blob.metadata.type.dimensionality == types_pb2.BlobType.MULTIPART
        ctx.transfer.fetch(blob.uri, str(target), directory=multipart)
        return
    if which == "scalar" and literal.scalar.WhichOneof("value") == "union":
        _download_literal(ctx, name, literal.scalar.union.value, folder)
        return
    if which == "collection":
        target.mkdir(parents=True, exist_ok=True)
        for index, item in enumerate(literal.collection.literals):
            _download_literal(ctx, str(index), item, target)
        return
    if which == "map":
        target.mkdir(parents=True, exist_ok=True)
        for key, item in literal.map.literals.items():
            _download_literal(ctx, key, item, target)
        return
    value = ctx.converter.to_python(literal)
    target.write_text(json.dumps(value, default=str) if not isinstance(value, str) else value)


def download(ctx: RemoteContext, data: Any, download_to: str | os.PathLike[str], recursive: bool = True) -> None:
    """Writes outputs or inputs (a LiteralsResolver, a LiteralMap or one Literal) under `download_to`."""
    folder = Path(download_to)
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, literals_pb2.Literal):
        _download_literal(ctx, "data", data, folder)
        return
    if not recursive:
        raise ValueError("Please specify recursive=True to download all variables in a literal map.")
    for name, literal in _literals(data).items():
        _download_literal(ctx, name, literal, folder)
