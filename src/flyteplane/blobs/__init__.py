"""Blob storage (local folder or object store via fsspec) and the signed URLs that let clients reach it."""

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore

__all__ = ["BlobStore", "Signer"]
