"""Pages of the unfiltered claims list from SQL compiled once per shape.

Building and compiling the ORM queryset of a claims page took as long as running it
(bench/bench_api.py). Pages without filters or search differ only in parameter values (the
user, the cursor), so the statement is compiled once per shape (ordering, first page or not,
page size, superuser or not, database) from the team-scoped selector `claims_for`, less
the claims of archived articles (`live_claims`, as the list without `?archived=`), with
stand-in values, and run with the request's values in their places. Memberships and
articles' archived state are read by the statement on every request, so access changes and
archiving apply at once.

The shape must name every user attribute `team_ids_for` reads: today `is_superuser`.
"""

from __future__ import annotations

import uuid
from collections import namedtuple
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Field

from claims.models import Claim
from claims.selectors import claims_for, live_claims

_USER_STAND_IN = -7_384_219_011  # no user has a negative id
_CURSOR_STAND_INS = {  # values no row holds, by field type
    "UUIDField": uuid.UUID("9e5c1b0e-3d5a-4b7e-8f31-6a2d7c4e0b19"),
    "FloatField": -1.2345678901234e-300,
}


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    user_slots: tuple[int, ...]
    cursor_slots: tuple[tuple[int, ...], ...]  # per ordering key
    converters: dict  # column position -> (converters, expression), as Django applies them


_statements: dict[tuple, _Statement] = {}


def _prepared(field: Field, value, connection):
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


def _slots(params: tuple, value) -> tuple[int, ...]:
    return tuple(
        i for i, param in enumerate(params) if type(param) is type(value) and param == value
    )


def _compile(columns, keys, after, first_page: bool, limit: int, superuser: bool, using: str):
    user = get_user_model()(pk=_USER_STAND_IN, is_superuser=superuser)
    fields = [Claim._meta.get_field(key.lstrip("-")) for key in keys]
    stand_ins = [_CURSOR_STAND_INS[field.get_internal_type()] for field in fields]
    queryset = live_claims(claims_for(user)).using(using).values_list(*columns)
    if not first_page:
        queryset = queryset.filter(after(stand_ins))
    compiler = queryset.order_by(*keys)[:limit].query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    params = tuple(params)
    connection = connections[using]
    user_slots = () if superuser else _slots(params, _USER_STAND_IN)
    cursor_slots = tuple(
        _slots(params, _prepared(field, stand_in, connection))
        for field, stand_in in zip(fields, stand_ins, strict=True)
    )
    if not (superuser or user_slots) or not (first_page or all(cursor_slots)):
        raise LookupError(f"a stand-in value is missing from the compiled claims page: {sql}")
    expressions = [select[0] for select in compiler.select[: compiler.col_count]]
    return _Statement(sql, params, user_slots, cursor_slots, compiler.get_converters(expressions))


def claim_page(user, columns: tuple[str, ...], keys, after_q, after_values, limit: int) -> list:
    """Up to `limit` claims of `user`'s teams (archived articles' left out) after
    `after_values` (None: from the start) in the order of `keys`, as named tuples of
    `columns`. `after_q(values)` is the paginator's condition for "after these values"."""
    using = Claim.objects.db
    first_page = after_values is None
    shape = (columns, keys, first_page, limit, user.is_superuser, using)
    statement = _statements.get(shape)
    if statement is None:
        statement = _compile(columns, keys, after_q, first_page, limit, user.is_superuser, using)
        _statements[shape] = statement
    connection = connections[using]
    params = list(statement.params)
    for slot in statement.user_slots:
        params[slot] = user.pk
    if not first_page:
        for key, value, slots in zip(keys, after_values, statement.cursor_slots, strict=True):
            prepared = _prepared(Claim._meta.get_field(key.lstrip("-")), value, connection)
            for slot in slots:
                params[slot] = prepared
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    row_type = _row_type(columns)
    return [row_type._make(_converted(row, statement.converters, connection)) for row in rows]


def _converted(row: tuple, converters: dict, connection) -> tuple:
    if not converters:
        return row
    row = list(row)
    for position, (functions, expression) in converters.items():
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row


_row_types: dict[tuple[str, ...], type] = {}


def _row_type(columns: tuple[str, ...]) -> type:
    if columns not in _row_types:
        _row_types[columns] = namedtuple("ClaimRow", columns)
    return _row_types[columns]
