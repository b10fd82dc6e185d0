"""The board's store on PostgreSQL: raw SQL through psycopg, pipelined.

BEGIN and the reads go out in one round trip, the writes and COMMIT in the next. Statements are
built once here and run either on Django's own connection in a thread (`PostgresStore`, used by
services and the API) or on an asynchronous connection in the event loop (`AsyncPostgresStore`,
used by the board socket's committer), so the hot path never hops to a thread nor competes with
the sockets for the interpreter lock.
"""

import contextlib
from typing import Any

import orjson
import psycopg
from django.db import connection
from django.db.models import QuerySet

from ..models import Board, BoardElement, BoardOp
from .rows import BoardRow, Loaded, NewOp, Winner

BOARD = Board._meta.db_table
ELEMENT = BoardElement._meta.db_table
OP = BoardOp._meta.db_table

Statement = tuple[str, list[Any]]


def _js(value) -> str:
    return orjson.dumps(value).decode()


def load_statements(
    *, board_ids: set[int], op_ids: set[str], element_ids: set[str], policy_queries: list[QuerySet]
) -> list[Statement]:
    boards_ids, ops_ids, el_ids = sorted(board_ids), sorted(op_ids), sorted(element_ids)
    statements: list[Statement] = [
        (
            f"SELECT id, seq, lanes::text, element_count, byte_count FROM {BOARD} "  # noqa: S608 - table names from the models
            "WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [boards_ids],
        ),
        (
            f"SELECT board_id, op_id, seq, elements::text FROM {OP} "  # noqa: S608
            "WHERE board_id = ANY(%s) AND op_id = ANY(%s)",
            [boards_ids, ops_ids],
        ),
        (
            f"SELECT board_id, element_id, version, version_nonce, size FROM {ELEMENT} "  # noqa: S608
            "WHERE board_id = ANY(%s) AND element_id = ANY(%s)",
            [boards_ids, el_ids],
        ),
    ]
    for query in policy_queries:
        sql, params = query.query.sql_with_params()
        statements.append((sql, list(params)))
    return statements


def loaded_from(rows: list[list[tuple]]) -> Loaded:
    boards_rows, ops_rows, element_rows, *policy_rows = rows
    boards = {pk: BoardRow(pk, seq, orjson.loads(lanes), count, size) for pk, seq, lanes, count, size in boards_rows}
    seen = {(b, o): (seq, orjson.loads(elements)) for b, o, seq, elements in ops_rows}
    current = {(b, e): (version, nonce, size) for b, e, version, nonce, size in element_rows}
    return boards, seen, current, policy_rows


def write_statements(winners: list[Winner], ops: list[NewOp], boards: list[BoardRow]) -> list[Statement]:
    # The rows travel as one JSON document per statement (built from the element texts serialised
    # at validation), which PostgreSQL unpacks in C: arrays of JSON text would be escaped for the
    # array syntax in Python, character by character, which was most of a batch's cost.
    element_rows = ",".join(
        f"[{int(w.board_id)},{_js(w.element['id'])},{_js(w.element['type'])},{int(w.element['version'])},"
        f"{int(w.element['versionNonce'])},{'true' if w.element.get('isDeleted', False) else 'false'},"
        f"{_js(w.lane)},{w.text},{int(w.size)},{int(w.seq)}]"
        for w in winners
    )
    op_rows = ",".join(f"[{int(o.board_id)},{int(o.seq)},{_js(o.op_id)},{_js(o.author_id)},{o.text}]" for o in ops)
    board_rows = ",".join(f"[{int(b.pk)},{int(b.seq)},{int(b.element_count)},{int(b.byte_count)}]" for b in boards)
    return [
        (
            f"INSERT INTO {ELEMENT} "  # noqa: S608
            "(board_id, element_id, type, version, version_nonce, is_deleted, lane, data, size, updated_seq) "
            "SELECT (x->>0)::bigint, x->>1, x->>2, (x->>3)::int, (x->>4)::bigint, (x->>5)::bool, x->>6, x->7, "
            "(x->>8)::int, (x->>9)::bigint FROM jsonb_array_elements(%s::jsonb) AS x "
            "ON CONFLICT (board_id, element_id) DO UPDATE SET type = EXCLUDED.type, version = EXCLUDED.version, "
            "version_nonce = EXCLUDED.version_nonce, is_deleted = EXCLUDED.is_deleted, lane = EXCLUDED.lane, "
            "data = EXCLUDED.data, size = EXCLUDED.size, updated_seq = EXCLUDED.updated_seq",
            [f"[{element_rows}]"],
        ),
        (
            f"INSERT INTO {OP} (board_id, seq, op_id, author_id, elements, created_at) "  # noqa: S608
            "SELECT (x->>0)::bigint, (x->>1)::bigint, x->>2, (x->>3)::int, x->4, now() "
            "FROM jsonb_array_elements(%s::jsonb) AS x",
            [f"[{op_rows}]"],
        ),
        (
            f"UPDATE {BOARD} AS b SET seq = (x->>1)::bigint, element_count = (x->>2)::int, "  # noqa: S608
            "byte_count = (x->>3)::bigint, updated_at = now() "
            "FROM jsonb_array_elements(%s::jsonb) AS x WHERE b.id = (x->>0)::bigint",
            [f"[{board_rows}]"],
        ),
    ]


def copies_statement(pairs: set[tuple[int, str]]) -> Statement:
    return (
        f"SELECT board_id, element_id, data::text FROM {ELEMENT} "  # noqa: S608
        "WHERE board_id = ANY(%s) AND element_id = ANY(%s)",
        [sorted({b for b, _ in pairs}), sorted({e for _, e in pairs})],
    )


def copies_from(rows: list[tuple], pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
    return {(b, e): orjson.loads(data) for b, e, data in rows if (b, e) in pairs}


class PostgresStore:
    """On Django's connection (a psycopg transaction inside any outer atomic block, as a savepoint),
    with errors mapped to Django's DatabaseError."""

    def _raw(self):
        connection.ensure_connection()
        return connection.connection  # the psycopg connection under Django's

    @contextlib.contextmanager
    def transaction(self):
        with connection.wrap_database_errors:
            raw = self._raw()
            with raw.pipeline(), raw.transaction():
                yield

    @staticmethod
    def _cursor(raw):
        # Server-side parameter binding: Django's default cursor quotes every parameter in Python.
        return psycopg.Cursor(raw)

    def load(self, **wanted) -> Loaded:
        raw = self._raw()
        cursors = []
        for sql, params in load_statements(**wanted):  # all sent together: the first fetch sends them
            cur = self._cursor(raw)
            cur.execute(sql, params)
            cursors.append(cur)
        return loaded_from([cur.fetchall() for cur in cursors])

    def write(self, winners: list[Winner], ops: list[NewOp], boards: list[BoardRow]) -> None:
        with self._cursor(self._raw()) as cur:  # queued: sent with the COMMIT
            for sql, params in write_statements(winners, ops, boards):
                cur.execute(sql, params)

    def copies(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
        sql, params = copies_statement(pairs)
        with self._cursor(self._raw()) as cur:
            cur.execute(sql, params)
            return copies_from(cur.fetchall(), pairs)


class AsyncPostgresStore:
    """On an asynchronous psycopg connection of the process's own, opened on first use and opened
    again after it broke.

    Each step is one multi-statement string sent with the simple query protocol (parameters bound
    by psycopg's client-side quoting, in C): BEGIN and the reads in one round trip, the writes and
    COMMIT in the next. Every await on the database costs a turn of the event loop, which under
    load is the expensive part, so a batch awaits the database twice, whatever its size.
    """

    database_errors = (psycopg.Error,)

    def __init__(self) -> None:
        self.conn: psycopg.AsyncConnection | None = None
        self._begun = False

    async def _connection(self) -> psycopg.AsyncConnection:
        if self.conn is None or self.conn.closed or self.conn.broken:
            settings = connection.settings_dict
            options = {
                key: value
                for key, value in (settings.get("OPTIONS") or {}).items()
                if key not in ("isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory")
            }
            self.conn = await psycopg.AsyncConnection.connect(
                dbname=settings["NAME"],
                user=settings.get("USER") or None,
                password=settings.get("PASSWORD") or None,
                host=settings.get("HOST") or None,
                port=settings.get("PORT") or None,
                autocommit=True,
                **options,
            )
        return self.conn

    async def _run(self, statements: list[Statement]) -> list[list[tuple]]:
        """Send the statements as one string; the rows of each, in order."""
        if self.conn is None:  # every use case opens the connection first (`_connection`)
            raise RuntimeError("statements sent before the connection was opened")
        cur = psycopg.AsyncClientCursor(self.conn)
        await cur.execute(";".join(cur.mogrify(sql, params) for sql, params in statements))
        results = []
        while True:
            results.append(await cur.fetchall() if cur.description is not None else [])
            if not cur.nextset():
                return results

    @contextlib.asynccontextmanager
    async def transaction(self):
        await self._connection()
        self._begun = False
        try:
            yield
            if self._begun:  # nothing was written: release the row locks
                await self.conn.execute("COMMIT")
        except BaseException:
            try:
                if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    await self.conn.execute("ROLLBACK")
            except Exception:  # the connection is gone: open a fresh one next time
                await self.close()
            raise
        finally:
            self._begun = False

    async def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def load(self, **wanted) -> Loaded:
        results = await self._run([("BEGIN", []), *load_statements(**wanted)])
        self._begun = True
        return loaded_from(results[1:])

    async def write(self, winners: list[Winner], ops: list[NewOp], boards: list[BoardRow]) -> None:
        await self._run([*write_statements(winners, ops, boards), ("COMMIT", [])])
        self._begun = False

    async def copies(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
        [rows] = await self._run([copies_statement(pairs)])
        return copies_from(rows, pairs)
