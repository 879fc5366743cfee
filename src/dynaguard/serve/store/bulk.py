"""Many rows in one statement.

PostgreSQL takes each column as one array and ``unnest`` turns them back into rows: one short
statement whose parameters psycopg sends as arrays. SQLAlchemy's own executemany writes an
``INSERT ... VALUES`` of a thousand rows per statement instead, and psycopg rewrites each of
those long statements' placeholders on every call (most of a 10,000-finding ingest's time on
PostgreSQL). Other databases (SQLite) keep SQLAlchemy's executemany, which is fast there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.orm import Session


def insert_many(
    session: Session,
    model: type[Any],
    rows: Sequence[Mapping[str, Any]],
    returning: str | None = None,
) -> list[Any]:
    """Insert ``rows`` (dicts with the same keys) into the mapped class's table; the
    ``returning`` column of each new row, in no particular order (empty without it)."""
    if not rows:
        return []
    table = cast(Table, model.__table__)
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        statement = insert(table)
        if returning is None:
            session.execute(statement, list(rows))
            return []
        column = table.c[returning]
        return list(session.scalars(statement.returning(column), list(rows)).all())
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    params: dict[str, Any] = {}
    columns = []
    for index, name in enumerate(names):
        column = table.c[name]
        values = [row[name] for row in rows]
        if isinstance(column.type, JSON):
            # One JSON document holding every row's value: escaping each value as an element
            # of a text array costs more than the whole insert.
            params[f"c{index}"] = json.dumps(values)
            columns.append(f"json_array_elements(CAST(:c{index} AS json))")
        else:
            params[f"c{index}"] = values
            columns.append(f"unnest(CAST(:c{index} AS {column.type.compile(dialect=dialect)}[]))")
    # ROWS FROM zips the functions' rows by position: row i of every column together.
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"SELECT * FROM ROWS FROM ({', '.join(columns)})"
    )
    if returning is None:
        session.execute(text(sql), params)
        return []
    found = session.execute(text(sql + f" RETURNING {quote(returning)}"), params)
    return list(found.scalars())
