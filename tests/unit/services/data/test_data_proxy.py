"""DataProxyService: flyteadmin's CreateUploadLocation / CreateDownloadLocation rules over the blob store."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from flyteidl.service import dataproxy_pb2
from google.protobuf.duration_pb2 import Duration

from flyteplane.blobs.signing import BadSignature, Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.services.data.data_proxy import FILENAME_ALPHABET, DataProxyService, go_duration

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
PUBLIC_URL = "http://127.0.0.1:30080"
CONTENT = b"a code tarball"
MD5 = hashlib.md5(CONTENT).digest()
B32 = base64.b32encode(MD5).decode()
B64 = base64.b64encode(MD5).decode()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "blobs"))


@pytest.fixture
def signer() -> Signer:
    return Signer(b"k" * 32)


@pytest.fixture
def service(store: BlobStore, signer: Signer) -> DataProxyService:
    return DataProxyService(store, signer, public_url=PUBLIC_URL, clock=lambda: NOW)


def upload(service: DataProxyService, **fields: object) -> dataproxy_pb2.CreateUploadLocationResponse:
    request = dataproxy_pb2.CreateUploadLocationRequest(**{"project": "flytesnacks", "domain": "development", **fields})
    return service.create_upload_location(request)


def signed_key_and_params(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC_URL
    assert parts.path.startswith("/blobs/")
    return unquote(parts.path[len("/blobs/") :]), dict(parse_qsl(parts.query))


# -- CreateUploadLocation: validation --


@pytest.mark.parametrize(("project", "domain"), [("", "development"), ("flytesnacks", ""), ("", "")])
def test_project_and_domain_are_required(service: DataProxyService, project: str, domain: str) -> None:
    with pytest.raises(InvalidArgument, match=r"^project and domain are required parameters$"):
        upload(service, project=project, domain=domain, content_md5=MD5)


def test_content_md5_or_filename_root_is_required(service: DataProxyService) -> None:
    with pytest.raises(InvalidArgument, match=r"^content_md5 or filename_root is a required parameter$"):
        upload(service, filename="fast.tar.gz")


def test_project_and_domain_are_checked_before_the_hash(service: DataProxyService) -> None:
    with pytest.raises(InvalidArgument, match="project and domain"):
        upload(service, project="")


def test_names_that_would_leave_the_store_are_invalid(service: DataProxyService) -> None:
    for fields in ({"filename": "../../etc/passwd"}, {"filename_root": ".."}, {"filename": "a\\b"}):
        with pytest.raises(InvalidArgument, match="invalid blob key"):
            upload(service, content_md5=MD5, **fields)


# -- CreateUploadLocation: paths --


def test_code_upload_lands_under_project_domain_and_padded_base32_of_the_md5(
    service: DataProxyService, store: BlobStore
) -> None:
    resp = upload(service, filename="fastabc.tar.gz", content_md5=MD5, add_content_md5_metadata=True)
    assert B32.endswith("======")
    assert resp.native_url == f"local://{store.base}/uploads/flytesnacks/development/{B32}/fastabc.tar.gz"
    assert not resp.native_url.startswith("file://")


def test_the_same_content_always_gets_the_same_native_url(service: DataProxyService) -> None:
    first = upload(service, filename="fast.tar.gz", content_md5=MD5)
    second = upload(service, filename="fast.tar.gz", content_md5=MD5)
    other = upload(service, filename="fast.tar.gz", content_md5=hashlib.md5(b"changed").digest())
    assert first.native_url == second.native_url
    assert other.native_url != first.native_url


def test_filename_root_replaces_the_hash_prefix(service: DataProxyService, store: BlobStore) -> None:
    resp = upload(service, filename="data.csv", filename_root="ZGOFGTXP24======", content_md5=MD5)
    assert resp.native_url == f"local://{store.base}/uploads/flytesnacks/development/ZGOFGTXP24======/data.csv"


def test_org_is_part_of_the_path_when_given(service: DataProxyService, store: BlobStore) -> None:
    resp = upload(service, org="acme", filename="f.txt", content_md5=MD5)
    assert resp.native_url == f"local://{store.base}/uploads/acme/flytesnacks/development/{B32}/f.txt"


def test_configured_storage_prefix_comes_first(store: BlobStore, signer: Signer) -> None:
    service = DataProxyService(store, signer, public_url=PUBLIC_URL, upload_storage_prefix="code/")
    resp = upload(service, filename="f.txt", content_md5=MD5)
    assert resp.native_url == f"local://{store.base}/code/flytesnacks/development/{B32}/f.txt"


def test_a_missing_filename_becomes_20_random_consonants_and_digits(service: DataProxyService) -> None:
    """What flytekit's streaming writer (fs.open("wb") on flyte://) relies on: no filename, no hash."""
    first = upload(service, filename_root="df.parquet")
    second = upload(service, filename_root="df.parquet")
    name = first.native_url.rsplit("/", 1)[1]
    assert first.native_url.rsplit("/", 2)[1] == "df.parquet"
    assert len(name) == 20
    assert set(name) <= set(FILENAME_ALPHABET)
    assert first.native_url != second.native_url


# -- CreateUploadLocation: overwrites --


def put(store: BlobStore, native_url: str, data: bytes) -> None:
    store.put_bytes(store.key_of(native_url), data)


def test_a_caller_chosen_path_that_exists_needs_a_hash(service: DataProxyService, store: BlobStore) -> None:
    resp = upload(service, filename="f.txt", filename_root="root", content_md5=MD5)
    put(store, resp.native_url, CONTENT)
    with pytest.raises(AlreadyExists) as raised:
        upload(service, filename="f.txt", filename_root="root")
    assert raised.value.message == (
        f"file already exists at location [{resp.native_url}], specify a matching hash if you wish to rewrite"
    )


def test_a_caller_chosen_path_that_exists_refuses_a_different_hash(service: DataProxyService, store: BlobStore) -> None:
    resp = upload(service, filename="f.txt", filename_root="root", content_md5=MD5)
    put(store, resp.native_url, CONTENT)
    with pytest.raises(AlreadyExists, match=r"file already exists at location \[.*/root/f.txt\]"):
        upload(service, filename="f.txt", filename_root="root", content_md5=hashlib.md5(b"other").digest())


def test_a_caller_chosen_path_may_be_rewritten_with_the_same_content(
    service: DataProxyService, store: BlobStore
) -> None:
    first = upload(service, filename="f.txt", filename_root="root", content_md5=MD5)
    put(store, first.native_url, CONTENT)
    again = upload(service, filename="f.txt", filename_root="root", content_md5=MD5)
    assert again.native_url == first.native_url
    assert again.signed_url


def test_a_caller_chosen_path_that_does_not_exist_needs_no_hash(service: DataProxyService) -> None:
    resp = upload(service, filename="f.txt", filename_root="root")
    assert resp.native_url.endswith("/flytesnacks/development/root/f.txt")
    assert dict(resp.headers) == {}


def test_hash_derived_paths_are_never_refused(service: DataProxyService, store: BlobStore) -> None:
    resp = upload(service, filename="fast.tar.gz", content_md5=MD5)
    put(store, resp.native_url, b"whatever is there")
    assert upload(service, filename="fast.tar.gz", content_md5=MD5).native_url == resp.native_url


def test_the_existence_check_comes_before_the_expiry_check(service: DataProxyService, store: BlobStore) -> None:
    resp = upload(service, filename="f.txt", filename_root="root", content_md5=MD5)
    put(store, resp.native_url, CONTENT)
    with pytest.raises(AlreadyExists):
        upload(service, filename="f.txt", filename_root="root", expires_in=Duration(seconds=7200))


# -- CreateUploadLocation: expiry --


def test_expiry_defaults_to_the_maximum(service: DataProxyService) -> None:
    resp = upload(service, filename="f", content_md5=MD5)
    assert resp.expires_at.ToDatetime(tzinfo=timezone.utc) == NOW + timedelta(hours=1)
    zero = upload(service, filename="f", content_md5=MD5, expires_in=Duration())
    assert zero.expires_at.ToDatetime(tzinfo=timezone.utc) == NOW + timedelta(hours=1)


def test_a_shorter_expiry_is_honoured_and_signed(service: DataProxyService, signer: Signer) -> None:
    resp = upload(service, filename="f", content_md5=MD5, expires_in=Duration(seconds=600))
    assert resp.expires_at.ToDatetime(tzinfo=timezone.utc) == NOW + timedelta(minutes=10)
    key, params = signed_key_and_params(resp.signed_url)
    signer.verify("PUT", key, params, NOW + timedelta(minutes=9))
    with pytest.raises(Exception, match="expired"):
        signer.verify("PUT", key, params, NOW + timedelta(minutes=10))


@pytest.mark.parametrize(
    ("seconds", "nanos", "text"),
    [(7200, 0, "2h0m0s"), (3601, 0, "1h0m1s"), (3600, 500_000_000, "1h0m0.5s"), (10**9, 0, "277777h46m40s")],
)
def test_an_expiry_above_the_maximum_is_invalid(service: DataProxyService, seconds: int, nanos: int, text: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        upload(service, filename="f", content_md5=MD5, expires_in=Duration(seconds=seconds, nanos=nanos))
    assert raised.value.message == f"expiresIn [{text}] cannot exceed max allowed expiration [1h0m0s]"


@pytest.mark.parametrize(
    ("seconds", "nanos", "text"),
    [(1, -5, "seconds:1 nanos:-5"), (0, 2_000_000_000, "nanos:2000000000"), (-30, 0, "seconds:-30")],
)
def test_a_malformed_or_negative_expiry_is_invalid(
    service: DataProxyService, seconds: int, nanos: int, text: str
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        upload(service, filename="f", content_md5=MD5, expires_in=Duration(seconds=seconds, nanos=nanos))
    assert raised.value.message == f"expiresIn [{text}] is invalid"


def test_the_maximum_is_configurable(store: BlobStore, signer: Signer) -> None:
    service = DataProxyService(store, signer, public_url=PUBLIC_URL, upload_max_expires=timedelta(minutes=90))
    with pytest.raises(InvalidArgument, match=r"\[1h30m0s\]$"):
        upload(service, filename="f", content_md5=MD5, expires_in=Duration(seconds=7200))


# -- CreateUploadLocation: signed URL and headers --


def test_the_signed_url_is_a_put_on_this_server_for_the_native_urls_key(
    service: DataProxyService, store: BlobStore, signer: Signer
) -> None:
    resp = upload(service, filename="fast.tar.gz", content_md5=MD5)
    key, params = signed_key_and_params(resp.signed_url)
    assert store.remote_url(key) == resp.native_url
    signer.verify("PUT", key, params, NOW)
    with pytest.raises(BadSignature):
        signer.verify("PUT", key + "x", params, NOW)


def test_the_public_url_may_be_resolved_per_request(store: BlobStore, signer: Signer) -> None:
    addresses = iter(["http://a:1", "http://b:2/"])
    service = DataProxyService(store, signer, public_url=lambda: next(addresses))
    assert upload(service, filename="f", content_md5=MD5).signed_url.startswith("http://a:1/blobs/")
    assert upload(service, filename="f", content_md5=MD5).signed_url.startswith("http://b:2/blobs/")


def test_required_headers_carry_the_md5_and_its_metadata_copy(service: DataProxyService) -> None:
    resp = upload(service, filename="f", content_md5=MD5, add_content_md5_metadata=True)
    assert dict(resp.headers) == {"Content-MD5": B64, "x-amz-meta-flyteContentMD5": B64}
    plain = upload(service, filename="f", content_md5=MD5)
    assert dict(plain.headers) == {"Content-MD5": B64}


def test_no_md5_no_headers(service: DataProxyService) -> None:
    resp = upload(service, filename_root="root", add_content_md5_metadata=True)
    assert dict(resp.headers) == {}


# -- CreateDownloadLocation --


def download(
    service: DataProxyService, native_url: str, **fields: object
) -> dataproxy_pb2.CreateDownloadLocationResponse:
    request = dataproxy_pb2.CreateDownloadLocationRequest(native_url=native_url, **fields)
    return service.create_download_location(request)


def test_download_location_signs_a_get_for_the_native_urls_key(
    service: DataProxyService, store: BlobStore, signer: Signer
) -> None:
    native_url = store.native_url("p/d/r/out.pb")
    resp = download(service, native_url, expires_in=Duration(seconds=60))
    key, params = signed_key_and_params(resp.signed_url)
    assert key == "p/d/r/out.pb"
    signer.verify("GET", key, params, NOW)
    assert resp.expires_at.ToDatetime(tzinfo=timezone.utc) == NOW + timedelta(seconds=60)
    assert download(service, native_url).expires_at.ToDatetime(tzinfo=timezone.utc) == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("duration", "problem"),
    [
        (Duration(seconds=7200), "input duration [2h0m0s] cannot exceed max allowed expiration [1h0m0s]"),
        (Duration(seconds=-1), "input duration [-1s] should not less than 0"),
        (Duration(nanos=-1_500_000), "input duration [-1.5ms] should not less than 0"),
        (Duration(seconds=1, nanos=-1), "input duration [seconds:1 nanos:-1] is invalid"),
    ],
)
def test_download_expiry_outside_bounds_is_invalid(
    service: DataProxyService, store: BlobStore, duration: Duration, problem: str
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        download(service, store.native_url("p/d/f"), expires_in=duration)
    assert raised.value.message == f"error while validating request: expiresIn is invalid. Error: {problem}"


def test_download_of_a_location_outside_the_store_is_invalid(service: DataProxyService) -> None:
    for url in ("/etc/passwd", "s3://elsewhere/x", "", "/tmp/\x01"):
        with pytest.raises(InvalidArgument, match=r"^error while validating request: "):
            download(service, url)


# -- download links --


def test_a_download_link_for_an_existing_object(service: DataProxyService, store: BlobStore, signer: Signer) -> None:
    store.put_bytes("p/d/exec/n0/deck.html", b"<html/>")
    resp = service.create_download_link_for_uri(store.native_url("p/d/exec/n0/deck.html"), timedelta(minutes=5))
    assert list(resp.signed_url) == list(resp.pre_signed_urls.signed_url)
    assert len(resp.signed_url) == 1
    key, params = signed_key_and_params(resp.signed_url[0])
    signer.verify("GET", key, params, NOW)
    assert resp.expires_at == resp.pre_signed_urls.expires_at
    assert resp.expires_at.ToDatetime(tzinfo=timezone.utc) == NOW + timedelta(minutes=5)


def test_a_download_link_defaults_to_the_maximum_expiry(service: DataProxyService, store: BlobStore) -> None:
    store.put_bytes("p/d/deck.html", b"x")
    resp = service.create_download_link_for_uri(store.native_url("p/d/deck.html"), None)
    assert resp.expires_at.ToDatetime(tzinfo=timezone.utc) == NOW + timedelta(hours=1)


def test_a_download_link_for_a_missing_object_is_not_found(service: DataProxyService, store: BlobStore) -> None:
    with pytest.raises(NotFound, match=r"^object not found$"):
        service.create_download_link_for_uri(store.native_url("p/d/none.html"), None)


def test_a_download_link_expiry_above_the_maximum_is_invalid(service: DataProxyService, store: BlobStore) -> None:
    store.put_bytes("p/d/deck.html", b"x")
    with pytest.raises(InvalidArgument) as raised:
        service.create_download_link_for_uri(store.native_url("p/d/deck.html"), timedelta(hours=2))
    assert raised.value.message == (
        "error while validating request. Error: expiresIn is invalid. Error: "
        "input duration [2h0m0s] cannot exceed max allowed expiration [1h0m0s]"
    )


def test_the_download_link_rpc_can_check_its_expiry_first(service: DataProxyService) -> None:
    assert service.check_download_link_expiry(None) == timedelta(hours=1)
    assert service.check_download_link_expiry(Duration(seconds=30)) == timedelta(seconds=30)
    with pytest.raises(InvalidArgument, match=r"^error while validating request\. Error: expiresIn is invalid"):
        service.check_download_link_expiry(Duration(seconds=-5))


# -- Go duration text --


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (250_000_000, "250ms"),
        (1_000_000_000, "1s"),
        (90 * 10**9, "1m30s"),
        (3600 * 10**9, "1h0m0s"),
        (-(3600 * 10**9 + 1), "-1h0m0.000000001s"),
        (2**63 - 1, "2562047h47m16.854775807s"),
    ],
)
def test_durations_render_as_go_does(ns: int, text: str) -> None:
    assert go_duration(ns) == text


# -- CreateUploadLocation: the uploads' own namespace (issue 9, item 5) --


def test_uploads_live_under_their_own_prefix_apart_from_the_engines_keys(
    service: DataProxyService, store: BlobStore
) -> None:
    """The issue's attack: project=metadata, domain=propeller names the engine's outputs without the prefix."""
    resp = upload(
        service, project="metadata", domain="propeller", filename_root="p-d-exec/n0/data/0", filename="outputs.pb"
    )
    key, _ = signed_key_and_params(resp.signed_url)
    assert key == "uploads/metadata/propeller/p-d-exec/n0/data/0/outputs.pb"
    assert not key.startswith("metadata/")


def test_an_empty_upload_prefix_is_refused(store: BlobStore, signer: Signer) -> None:
    with pytest.raises(ValueError, match="prefix"):
        DataProxyService(store, signer, public_url=PUBLIC_URL, upload_storage_prefix="/")


def test_the_project_and_domain_must_be_registered(store: BlobStore, signer: Signer) -> None:
    asked: list[tuple[str, str]] = []

    def registered(project: str, domain: str) -> None:
        asked.append((project, domain))
        if project != "flytesnacks":
            raise InvalidArgument(f"project [{project}] not found")

    service = DataProxyService(store, signer, public_url=PUBLIC_URL, check_project_domain=registered)
    assert upload(service, content_md5=MD5).native_url
    with pytest.raises(InvalidArgument, match=r"project \[metadata\] not found"):
        upload(service, project="metadata", domain="propeller", filename_root="x", filename="outputs.pb")
    assert asked == [("flytesnacks", "development"), ("metadata", "propeller")]
