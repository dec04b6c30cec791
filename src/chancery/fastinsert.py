"""Insert one model row without the ORM compiling the same INSERT again on every call.

``Model.objects.create`` builds its SQL afresh each time; on the intake path that compilation
costs more CPU than the database spends on the insert (bench/profile_intake.py). ``insert``
builds the statement once per model and database, then converts each value exactly as the ORM
does (``Field.pre_save`` and ``Field.get_db_prep_save``), so the stored row is the same.

Unlike ``save()``, it sends no ``pre_save``/``post_save`` signals: use it only for models
nothing listens to (messages and events), inside the caller's transaction.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

_statements: dict[tuple[type[Model], str], tuple[str, list[Field[Any, Any]], bool]] = {}


class UnsupportedModel(TypeError):
    """The model has a field whose value the database computes, which this INSERT cannot do."""


def _check_supported(model: type[Model]) -> None:
    """The statement sends every concrete field's value from Python, so a field the database
    fills itself would be wrong: a ``GeneratedField`` cannot be inserted at all, and a field with
    ``db_default`` would get Python's value (or NULL) instead of the database's default."""
    for f in model._meta.concrete_fields:
        if getattr(f, "generated", False):
            raise UnsupportedModel(
                f"fastinsert cannot insert {model.__name__}: {f.name} is a GeneratedField "
                "(the database computes it); use Model.objects.create() for this model."
            )
        if f.has_db_default():
            raise UnsupportedModel(
                f"fastinsert cannot insert {model.__name__}: {f.name} has db_default (the "
                "database fills it); use Model.objects.create() for this model, or give the "
                "field a Python default instead."
            )


def _statement(model: type[Model], alias: str) -> tuple[str, list[Field[Any, Any]], bool]:
    key = (model, alias)
    found = _statements.get(key)
    if found is None:
        connection = connections[alias]
        meta = model._meta
        _check_supported(model)
        qn = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        columns = ", ".join(qn(str(f.column)) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        returning = bool(connection.features.can_return_columns_from_insert)
        sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
        if returning:
            sql += f" RETURNING {qn(str(meta.pk.column))}"
        found = _statements[key] = (sql, fields, returning)
    return found


def insert(instance: M) -> M:
    """INSERT ``instance`` (unsaved, auto primary key) and set its primary key."""
    model = type(instance)
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    sql, fields, returning = _statement(model, alias)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = alias
    return instance
