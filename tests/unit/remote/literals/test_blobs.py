"""File and Directory: local paths to upload, URIs to read, downloads through whoever read them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flyteidl.core import types_pb2

from flyteplane.remote.literals.blobs import Directory, File, has_scheme
from flyteplane.remote.literals.converter import LiteralConverter
from flyteplane.remote.literals.types import literal_type_of


class RecordingUploads:
    def __init__(self) -> None:
        self.files: list[str] = []
        self.directories: list[str] = []

    def upload_file(self, path: str) -> str:
        self.files.append(path)
        return f"s3://bucket/up/{Path(path).name}"

    def upload_directory(self, path: str) -> str:
        self.directories.append(path)
        return "s3://bucket/up/dir"


@pytest.mark.parametrize(
    ("text", "remote"),
    [
        ("s3://b/k", True),
        ("gs://b/k", True),
        ("flyte://v1/p", True),
        ("abfs+x://c", True),
        ("/tmp/x", False),
        ("relative/x.txt", False),
        ("C:/x", False),
        ("no scheme://", False),
    ],
)
def test_what_counts_as_a_uri(text: str, remote: bool) -> None:
    assert has_scheme(text) is remote


def test_a_local_file_input_is_uploaded_once_and_sent_as_the_uploaded_uri(tmp_path: Path) -> None:
    local = tmp_path / "data.csv"
    local.write_text("a,b")
    uploads = RecordingUploads()
    converter = LiteralConverter(uploads=uploads)
    value = File(local)

    first = converter.to_literal(value, literal_type_of(File))
    second = converter.to_literal(value, literal_type_of(File))

    assert first.scalar.blob.uri == second.scalar.blob.uri == "s3://bucket/up/data.csv"
    assert uploads.files == [str(local)]
    assert value.uri == "s3://bucket/up/data.csv" and value.local_path == str(local)


def test_paths_and_strings_are_files_or_directories_by_the_declared_type(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    uploads = RecordingUploads()
    converter = LiteralConverter(uploads=uploads)
    directory_type = literal_type_of(Directory)

    as_dir = converter.to_literal(tmp_path, directory_type)
    as_file = converter.to_literal(str(tmp_path / "f.txt"), literal_type_of(File))
    as_uri = converter.to_literal("gs://bucket/folder", directory_type)

    assert as_dir.scalar.blob.uri == "s3://bucket/up/dir"
    assert as_dir.scalar.blob.metadata.type.dimensionality == types_pb2.BlobType.MULTIPART
    assert as_file.scalar.blob.uri == "s3://bucket/up/f.txt"
    assert as_uri.scalar.blob.uri == "gs://bucket/folder"
    assert uploads.directories == [str(tmp_path)]


def test_the_declared_blob_format_is_kept(tmp_path: Path) -> None:
    blob_type = types_pb2.LiteralType(blob=types_pb2.BlobType(format="csv"))
    literal = LiteralConverter().to_literal(File("s3://b/x.csv"), blob_type)
    assert literal.scalar.blob.metadata.type.format == "csv"


def test_missing_local_files_and_directories_are_refused(tmp_path: Path) -> None:
    converter = LiteralConverter(uploads=RecordingUploads())
    with pytest.raises(ValueError, match="is not a file"):
        converter.to_literal(str(tmp_path / "nope.txt"), literal_type_of(File))
    with pytest.raises(ValueError, match="is not a directory"):
        converter.to_literal(Directory(tmp_path / "nope"), literal_type_of(Directory))
    with pytest.raises(TypeError, match="expected a File"):
        converter.to_literal(Directory(tmp_path), literal_type_of(File))


def test_outputs_are_remote_blobs_that_download_through_their_fetcher(tmp_path: Path) -> None:
    fetched: list[tuple[str, str | None, bool]] = []

    def fetch(uri: str, to: str | None, directory: bool) -> str:
        fetched.append((uri, to, directory))
        target = Path(to or tmp_path / "auto.txt")
        target.write_text("content")
        return str(target)

    converter = LiteralConverter(fetch=fetch)
    literal = LiteralConverter().to_literal(File("s3://b/out.txt"), literal_type_of(File))
    value = converter.to_python(literal)

    assert isinstance(value, File) and value.is_remote and value.path == "s3://b/out.txt"
    with open(value) as f:  # os.fspath downloads
        assert f.read() == "content"
    assert value.download() == str(tmp_path / "auto.txt")  # once only
    assert fetched == [("s3://b/out.txt", None, False)]
    assert os.fspath(value) == str(tmp_path / "auto.txt")


def test_a_blob_not_read_through_a_remote_cannot_download() -> None:
    with pytest.raises(ValueError, match="not read through a FlyteRemote"):
        File.from_uri("s3://b/x").download()
    with pytest.raises(ValueError, match="local only"):
        File("/tmp/x").download("/tmp/y")


def test_files_inside_dataclasses_are_uploaded_and_stored_as_paths(tmp_path: Path) -> None:
    import dataclasses

    @dataclasses.dataclass
    class Report:
        title: str
        attachment: File

    local = tmp_path / "a.txt"
    local.write_text("x")
    converter = LiteralConverter(uploads=RecordingUploads())
    literal = converter.to_literal(Report("t", File(local)), literal_type_of(Report))

    assert converter.to_python(literal) == {"title": "t", "attachment": {"path": "s3://bucket/up/a.txt"}}
    read = converter.to_python(literal, python_type=Report)
    assert read.attachment == File.from_uri("s3://bucket/up/a.txt")
