"""Signer: HMAC-signed URLs grant one method on one key until a deadline, optionally pinned to an MD5."""

from __future__ import annotations

import hashlib
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from flyteplane.blobs.signing import (
    BadSignature,
    ExpiredSignature,
    Signer,
    WrongMethod,
    blob_url,
    load_or_create_secret,
    signed_content_md5,
)

SECRET = b"s" * 32
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
KEY = "flytesnacks/development/ZGOFGTXP======/fast.tar.gz"


def params(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))


@pytest.fixture
def signer() -> Signer:
    return Signer(SECRET)


def test_a_signed_url_verifies_before_its_deadline(signer: Signer) -> None:
    query = signer.sign("PUT", KEY, NOW + timedelta(hours=1), None)
    signer.verify("PUT", KEY, params(query), NOW)
    signer.verify("PUT", KEY, params(query), NOW + timedelta(minutes=59, seconds=59))


def test_a_signed_url_expires_at_its_deadline(signer: Signer) -> None:
    query = signer.sign("GET", KEY, NOW + timedelta(hours=1), None)
    with pytest.raises(ExpiredSignature, match="expired"):
        signer.verify("GET", KEY, params(query), NOW + timedelta(hours=1))
    with pytest.raises(ExpiredSignature):
        signer.verify("GET", KEY, params(query), NOW + timedelta(days=3))


def test_a_url_is_bound_to_its_method(signer: Signer) -> None:
    query = signer.sign("PUT", KEY, NOW + timedelta(hours=1), None)
    with pytest.raises(WrongMethod, match="allows PUT, not GET"):
        signer.verify("GET", KEY, params(query), NOW)


def test_a_url_is_bound_to_its_key(signer: Signer) -> None:
    query = signer.sign("GET", KEY, NOW + timedelta(hours=1), None)
    with pytest.raises(BadSignature, match="does not match"):
        signer.verify("GET", KEY + "x", params(query), NOW)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("signature", "0" * 64),
        ("expires", "99999999999"),
        ("method", "GET"),
        ("md5", "AAAAAAAAAAAAAAAAAAAAAA"),
    ],
)
def test_tampering_with_any_signed_field_breaks_the_signature(signer: Signer, name: str, value: str) -> None:
    query = params(signer.sign("PUT", KEY, NOW + timedelta(hours=1), hashlib.md5(b"x").digest()))
    query[name] = value
    with pytest.raises(BadSignature):
        signer.verify(query["method"] if name == "method" else "PUT", KEY, query, NOW)


def test_removing_the_md5_pin_breaks_the_signature(signer: Signer) -> None:
    query = params(signer.sign("PUT", KEY, NOW + timedelta(hours=1), hashlib.md5(b"x").digest()))
    del query["md5"]
    with pytest.raises(BadSignature):
        signer.verify("PUT", KEY, query, NOW)


def test_an_unsigned_or_malformed_url_is_refused(signer: Signer) -> None:
    with pytest.raises(BadSignature, match="not signed"):
        signer.verify("GET", KEY, {}, NOW)
    query = params(signer.sign("GET", KEY, NOW + timedelta(hours=1), None))
    query["expires"] = "soon"
    with pytest.raises(BadSignature, match="malformed"):
        signer.verify("GET", KEY, query, NOW)


def test_a_url_signed_with_another_secret_is_refused() -> None:
    query = Signer(b"a" * 32).sign("GET", KEY, NOW + timedelta(hours=1), None)
    with pytest.raises(BadSignature):
        Signer(b"b" * 32).verify("GET", KEY, params(query), NOW)


def test_the_pinned_md5_can_be_read_back_from_a_signed_url(signer: Signer) -> None:
    digest = hashlib.md5(b"content").digest()
    assert signed_content_md5(params(signer.sign("PUT", KEY, NOW, digest))) == digest
    assert signed_content_md5(params(signer.sign("PUT", KEY, NOW, None))) is None


def test_signing_needs_an_aware_deadline_and_a_long_enough_secret(signer: Signer) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.sign("GET", KEY, datetime(2025, 1, 1), None)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Signer(b"short")


def test_blob_url_quotes_the_key_under_the_blobs_route() -> None:
    url = blob_url("http://127.0.0.1:30080/", "p/d/AB==/a b.txt", "method=GET")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.query) == ("http", "127.0.0.1:30080", "method=GET")
    assert parts.path == "/blobs/p/d/AB%3D%3D/a%20b.txt"


def test_the_secret_is_created_once_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "signing.key"
    first = load_or_create_secret(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["signing.key"]


def test_urls_survive_a_restart_when_the_secret_is_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    query = Signer(load_or_create_secret(path)).sign("GET", KEY, NOW + timedelta(hours=1), None)
    Signer(load_or_create_secret(path)).verify("GET", KEY, params(query), NOW)
