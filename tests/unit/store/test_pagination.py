"""Keyset pagination: complete, gap-free walks behind opaque tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import (
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from flyteplane.errors import InvalidArgument
from flyteplane.store.filters import SortOrder
from flyteplane.store.pagination import Page, paginate, paginate_distinct

ROWS = 1000
WHAT = "ListThings"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    __table_args__ = (
        Index("ix_things_created", "created_at", "id"),
        Index("ix_things_identity", "project", "domain", "name"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project: Mapped[str] = mapped_column(String(32))
    domain: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(32))
    bucket: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


def make_things() -> list[Thing]:
    """Ids shuffled against created_at, with long runs of equal created_at (some at whole seconds)."""
    rng = random.Random(20240101)
    ids = list(range(1, ROWS + 1))
    rng.shuffle(ids)
    base = dt.datetime(2024, 1, 1, 12, 0, 0)
    things = []
    for position, thing_id in enumerate(ids):
        created = base + dt.timedelta(seconds=position % 13, microseconds=(position % 3) * 250_001)
        started = None if position % 4 == 0 else base + dt.timedelta(minutes=position % 17)
        things.append(
            Thing(
                id=thing_id,
                project=f"p{position % 3}",
                domain=("development", "staging", "production")[position % 5 % 3],
                name=f"n{position % 11:02d}",
                bucket=position % 7,
                created_at=created,
                started_at=started,
            )
        )
    return things


THINGS = make_things()
THINGS_BY_ID = {thing.id: thing for thing in THINGS}


def seed(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    rows = [{column.key: getattr(thing, column.key) for column in Thing.__table__.columns} for thing in THINGS]
    with engine.begin() as connection:
        connection.execute(insert(Thing), rows)


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('pagination') / 'things.db'}")
    seed(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def postgresql_engine() -> Iterator[Engine]:
    """A freshly created database on the local PostgreSQL; CI must have one, elsewhere it is optional."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect():
            pass
    except Exception as error:
        reason = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    database = f"flyteplane_pagination_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    engine = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}")
    try:
        seed(engine)
        with engine.connect() as connection:
            connection.execute(text("ANALYZE things"))
            connection.commit()
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    with Session(engine) as session:
        yield session


def by_created(ascending: bool) -> SortOrder:
    return SortOrder(column=Thing.created_at.expression, key="created_at", ascending=ascending)


def by_started(ascending: bool) -> SortOrder:
    return SortOrder(column=Thing.started_at.expression, key="started_at", ascending=ascending)


def walk(fetch: Callable[[str], Page[Any]]) -> tuple[list[Any], int]:
    """Follow tokens like flytekit does until the token is empty; returns all items and the round trips."""
    items: list[Any] = []
    token, trips = "", 0
    while True:
        page = fetch(token)
        trips += 1
        items.extend(page.items)
        token = page.token
        if not token:
            return items, trips
        assert trips <= ROWS + 1, "pagination does not terminate"


def walk_ids(session: Session, order: SortOrder | None, limit: int, stmt: Select[Any] | None = None) -> list[int]:
    query = select(Thing) if stmt is None else stmt

    def fetch(token: str) -> Page[Any]:
        page = paginate(session, query, order=order, id_column=Thing.id, limit=limit, token=token, what=WHAT)
        assert len(page.items) <= limit
        return page

    things, trips = walk(fetch)
    assert trips == max(1, -(-len(things) // limit)), "a full last page must not cost an extra round trip"
    return [thing.id for thing in things]


def expected_ids(key: Callable[[Thing], Any], ascending: bool, things: list[Thing] = THINGS) -> list[int]:
    ordered = sorted(things, key=lambda thing: (key(thing), thing.id))
    return [thing.id for thing in (ordered if ascending else reversed(ordered))]


def started_key(thing: Thing) -> tuple[bool, dt.datetime]:
    """NULL sorts after every value."""
    return (thing.started_at is None, thing.started_at or dt.datetime.min)


def invalid(message: str) -> Any:
    return pytest.raises(InvalidArgument, match=f"^{re.escape(message)}$")


# --- complete walks


@pytest.mark.parametrize("limit", [50, 7, 1])
@pytest.mark.parametrize("ascending", [True, False], ids=["asc", "desc"])
def test_walking_a_non_unique_sort_column_visits_every_row_once_in_order(
    session: Session, limit: int, ascending: bool
) -> None:
    ids = walk_ids(session, by_created(ascending), limit)
    assert ids == expected_ids(lambda thing: thing.created_at, ascending)


@pytest.mark.parametrize("limit", [50, 7])
def test_without_a_sort_rows_come_by_id(session: Session, limit: int) -> None:
    assert walk_ids(session, None, limit) == list(range(1, ROWS + 1))


@pytest.mark.parametrize("limit", [50, 7, 1])
@pytest.mark.parametrize("ascending", [True, False], ids=["asc", "desc"])
def test_a_nullable_sort_column_puts_nulls_last_ascending_and_first_descending(
    session: Session, limit: int, ascending: bool
) -> None:
    assert walk_ids(session, by_started(ascending), limit) == expected_ids(started_key, ascending)


@pytest.mark.parametrize("ascending", [True, False], ids=["asc", "desc"])
def test_filters_in_the_statement_are_kept(session: Session, ascending: bool) -> None:
    stmt = select(Thing).where(Thing.bucket == 3, Thing.project != "p1")
    wanted = [thing for thing in THINGS if thing.bucket == 3 and thing.project != "p1"]
    ids = walk_ids(session, by_created(ascending), 9, stmt)
    assert ids == expected_ids(lambda thing: thing.created_at, ascending, wanted)


def test_an_order_by_already_on_the_statement_is_replaced(session: Session) -> None:
    stmt = select(Thing).order_by(Thing.name.desc())
    assert walk_ids(session, None, 100, stmt) == list(range(1, ROWS + 1))


def test_a_statement_of_columns_yields_rows_with_their_names(session: Session) -> None:
    stmt = select(Thing.id, Thing.name).where(Thing.id <= 10)
    page = paginate(session, stmt, order=None, id_column=Thing.id, limit=3, token="", what=WHAT)
    assert [tuple(row) for row in page.items] == [(i, THINGS_BY_ID[i].name) for i in (1, 2, 3)]
    assert page.items[0]._mapping["name"] == THINGS_BY_ID[1].name
    assert page.token


def test_a_statement_of_one_column_yields_plain_values(session: Session) -> None:
    stmt = select(Thing.name).where(Thing.id <= 3)
    page = paginate(session, stmt, order=None, id_column=Thing.id, limit=5, token="", what=WHAT)
    assert page == Page(items=[THINGS_BY_ID[i].name for i in (1, 2, 3)], token="")


def test_no_limit_returns_every_row_and_no_token(session: Session) -> None:
    page = paginate(
        session, select(Thing.id), order=by_created(True), id_column=Thing.id, limit=None, token="", what=WHAT
    )
    assert page.items == expected_ids(lambda thing: thing.created_at, True)
    assert page.token == ""


def test_a_token_is_opaque_url_safe_text(session: Session) -> None:
    page = paginate(session, select(Thing), order=by_created(False), id_column=Thing.id, limit=5, token="", what=WHAT)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", page.token)
    assert not page.token.isdigit()


def test_datetimes_in_tokens_keep_their_microseconds(session: Session) -> None:
    order = by_created(True)
    first = paginate(session, select(Thing), order=order, id_column=Thing.id, limit=1, token="", what=WHAT)
    last = first.items[-1]
    assert last.created_at.microsecond == 0
    sibling = paginate(session, select(Thing), order=order, id_column=Thing.id, limit=1, token=first.token, what=WHAT)
    assert (sibling.items[0].created_at, sibling.items[0].id) > (last.created_at, last.id)
    odd = [thing for thing in THINGS if thing.created_at.microsecond == 250_001]
    start = min(odd, key=lambda thing: (thing.created_at, thing.id))
    stmt = select(Thing).where(Thing.created_at >= start.created_at)
    page = paginate(session, stmt, order=order, id_column=Thing.id, limit=1, token="", what=WHAT)
    assert page.items[0].created_at == start.created_at
    following = paginate(session, stmt, order=order, id_column=Thing.id, limit=1, token=page.token, what=WHAT)
    expected = sorted(
        (thing for thing in THINGS if thing.created_at >= start.created_at),
        key=lambda thing: (thing.created_at, thing.id),
    )
    assert following.items[0].id == expected[1].id


# --- offset tokens from flyteadmin clients


def test_a_decimal_token_is_an_offset_and_the_next_token_continues_by_keyset(session: Session) -> None:
    order = by_created(False)
    wanted = expected_ids(lambda thing: thing.created_at, False)
    page = paginate(session, select(Thing.id), order=order, id_column=Thing.id, limit=10, token="100", what=WHAT)
    assert page.items == wanted[100:110]
    assert not page.token.isdigit()
    after = paginate(session, select(Thing.id), order=order, id_column=Thing.id, limit=10, token=page.token, what=WHAT)
    assert after.items == wanted[110:120]


def test_an_offset_past_the_end_is_an_empty_last_page(session: Session) -> None:
    page = paginate(session, select(Thing), order=None, id_column=Thing.id, limit=10, token="5000", what=WHAT)
    assert page == Page(items=[], token="")


@pytest.mark.parametrize("token", ["-1", "-100", "99999999999999999999"])
def test_negative_or_huge_offsets_are_rejected(session: Session, token: str) -> None:
    with invalid(f"invalid pagination token {token} for {WHAT}"):
        paginate(session, select(Thing), order=None, id_column=Thing.id, limit=10, token=token, what=WHAT)


# --- bad tokens and limits


def encode(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()


def token_for(session: Session, order: SortOrder | None) -> str:
    page = paginate(session, select(Thing), order=order, id_column=Thing.id, limit=3, token="", what=WHAT)
    return page.token


def decode(token: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def test_a_token_made_for_another_sort_is_rejected(session: Session) -> None:
    token = token_for(session, by_created(True))
    for other in (by_created(False), by_started(True), None):
        with invalid(f"invalid pagination token {token} for {WHAT}"):
            paginate(session, select(Thing), order=other, id_column=Thing.id, limit=3, token=token, what=WHAT)


@pytest.mark.parametrize(
    "forge",
    [
        lambda good: "not a token",
        lambda good: "abc",
        lambda good: "ey",
        lambda good: good + "x",
        lambda good: good[:-4],
        lambda good: "é" + good,
        lambda good: encode([1, 2]),
        lambda good: encode({"s": decode(good)["s"]}),
        lambda good: encode({"s": decode(good)["s"], "v": [1]}),
        lambda good: encode({"s": decode(good)["s"], "v": ["2024-01-01", 5]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"t": "garbage"}, 5]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"t": "2024-01-01T00:00:00"}, "5"]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"t": "2024-01-01T00:00:00"}, True]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"t": "2024-01-01T00:00:00"}, 2**70]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"t": "2024-01-01T00:00:00"}, 2**40]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"t": "2024-01-01T00:00:00"}, None]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"t": "2024-01-01T00:00:00", "x": 1}, 5]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"n": "one"}, 5]}),
        lambda good: encode({"s": decode(good)["s"], "v": [{"q": "x"}, 5]}),
        lambda good: encode({"s": decode(good)["s"], "v": [[[[[[]]]]], 5]}),
        lambda good: "W" * 3000 + "0",
    ],
)
def test_garbage_and_forged_tokens_are_rejected(session: Session, forge: Callable[[str], str]) -> None:
    token = forge(token_for(session, by_created(True)))
    with invalid(f"invalid pagination token {token} for {WHAT}"):
        paginate(
            session,
            select(Thing),
            order=by_created(True),
            id_column=Thing.id,
            limit=3,
            token=token,
            what=WHAT,
        )


def test_a_well_formed_forged_token_just_moves_the_position(session: Session) -> None:
    good = decode(token_for(session, by_created(True)))
    position = dt.datetime(2024, 1, 1, 12, 0, 12)
    token = encode({"s": good["s"], "v": [{"t": position.isoformat()}, 0]})
    page = paginate(
        session, select(Thing.id), order=by_created(True), id_column=Thing.id, limit=5, token=token, what=WHAT
    )
    later = [thing for thing in THINGS if thing.created_at >= position]
    assert page.items == expected_ids(lambda thing: thing.created_at, True, later)[:5]


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_rejected(session: Session, limit: int) -> None:
    with invalid("invalid value for limit"):
        paginate(session, select(Thing), order=None, id_column=Thing.id, limit=limit, token="", what=WHAT)


# --- distinct keys (ListTaskIds and friends)


def distinct_identities() -> list[tuple[str, str, str]]:
    return sorted({(thing.project, thing.domain, thing.name) for thing in THINGS})


@pytest.mark.parametrize("limit", [7, 1])
@pytest.mark.parametrize("grouped", [True, False], ids=["group_by", "distinct"])
def test_distinct_keys_walk_every_identity_once(session: Session, limit: int, grouped: bool) -> None:
    keys = [Thing.project, Thing.domain, Thing.name]
    stmt = select(*keys)
    stmt = stmt.group_by(*keys) if grouped else stmt.distinct()

    def fetch(token: str) -> Page[Any]:
        return paginate_distinct(session, stmt, key_columns=keys, order=None, limit=limit, token=token, what=WHAT)

    rows, _ = walk(fetch)
    assert [tuple(row) for row in rows] == distinct_identities()


@pytest.mark.parametrize("ascending", [True, False], ids=["asc", "desc"])
def test_distinct_keys_follow_a_sort_on_one_of_them(session: Session, ascending: bool) -> None:
    keys = [Thing.project, Thing.domain, Thing.name]
    stmt = select(*keys).where(Thing.project == "p1").group_by(*keys)
    order = SortOrder(column=Thing.name.expression, key="name", ascending=ascending)

    def fetch(token: str) -> Page[Any]:
        return paginate_distinct(session, stmt, key_columns=keys, order=order, limit=4, token=token, what=WHAT)

    rows, _ = walk(fetch)
    wanted = sorted(
        [identity for identity in distinct_identities() if identity[0] == "p1"],
        key=lambda identity: (identity[2], identity[0], identity[1]),
        reverse=not ascending,
    )
    assert [tuple(row) for row in rows] == wanted


def test_a_distinct_token_carrying_a_nul_character_is_rejected(session: Session) -> None:
    keys = [Thing.project, Thing.domain, Thing.name]
    stmt = select(*keys).distinct()
    good = paginate_distinct(session, stmt, key_columns=keys, order=None, limit=2, token="", what=WHAT).token
    token = encode({"s": decode(good)["s"], "v": ["p0", "a\x00b", "n00"]})
    with invalid(f"invalid pagination token {token} for {WHAT}"):
        paginate_distinct(session, stmt, key_columns=keys, order=None, limit=2, token=token, what=WHAT)


def test_distinct_tokens_do_not_fit_a_plain_listing(session: Session) -> None:
    keys = [Thing.project, Thing.domain, Thing.name]
    stmt = select(*keys).distinct()
    token = paginate_distinct(session, stmt, key_columns=keys, order=None, limit=2, token="", what=WHAT).token
    with invalid(f"invalid pagination token {token} for {WHAT}"):
        paginate(session, select(Thing), order=None, id_column=Thing.id, limit=2, token=token, what=WHAT)


# --- deep pages cost what the first one does


def captured_statements(session: Session, run: Callable[[], Any]) -> list[tuple[str, Any]]:
    statements: list[tuple[str, Any]] = []
    engine = session.get_bind()

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return statements


@pytest.mark.parametrize("ascending", [True, False], ids=["asc", "desc"])
def test_an_index_on_sort_column_and_id_serves_the_page_query(session: Session, ascending: bool) -> None:
    order = by_created(ascending)
    token = token_for(session, order)
    statements = captured_statements(
        session,
        lambda: paginate(session, select(Thing), order=order, id_column=Thing.id, limit=20, token=token, what=WHAT),
    )
    (statement, parameters), *_ = statements
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        plan = " | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "ix_things_created" in plan
        assert "TEMP B-TREE" not in plan
    else:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        plan = " | ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        assert "ix_things_created" in plan
        assert "Sort" not in plan
        assert "Index Cond" in plan


def test_a_deep_keyset_page_does_the_work_of_the_second_page(sqlite_engine: Engine) -> None:
    """Counted in SQLite virtual-machine steps, which unlike wall time do not flake."""
    order = by_created(True)
    with Session(sqlite_engine) as session:
        steps = 0

        def tick() -> int:
            nonlocal steps
            steps += 1
            return 0

        def page_after(token: str) -> Page[Any]:
            stmt = select(Thing.id)
            return paginate(session, stmt, order=order, id_column=Thing.id, limit=20, token=token, what=WHAT)

        def cost(token: str) -> int:
            nonlocal steps
            raw = session.connection().connection.dbapi_connection
            assert raw is not None
            raw.set_progress_handler(tick, 1)
            steps = 0
            page_after(token)
            raw.set_progress_handler(None, 1)
            return steps

        second, deep = page_after("").token, page_after("960").token
        assert cost(deep) <= 1.2 * cost(second)
        assert cost("960") > 3 * cost(second), "the step count should see the work an OFFSET does"


def test_row_count_is_what_the_seed_promises(session: Session) -> None:
    assert session.scalar(select(func.count()).select_from(Thing)) == ROWS
