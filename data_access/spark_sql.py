"""Spark SQL as a SQLAlchemy dialect, so that the counting rules of :mod:`data_access.rules`
are compiled for Spark from the very statements the SQL refresh sends to the source.

No pyspark here: this module only turns statements into Spark SQL text (with the
parameters written in as literals; Spark SQL has no bound parameters). The Spark side
(:mod:`data_access.spark_refresh`) registers the raw rows as temporary views under the
contract's table names and runs that text.

Spark reads the rows of a source over JDBC as the source's engine keeps them, so the
dialect knows which engine that was (its ``origin``):

- PostgreSQL keeps ``registered_at`` as a ``timestamp``: Spark reads it as
  ``TIMESTAMP_NTZ`` (no time zone, as the contract stores times) and days as ``DATE``.
- SQLite keeps timestamps and days as text, and the SQL refresh compares them as text
  (``rules.readable_timestamp`` is SQLite's own reading of that text). Spark reads them as
  strings, the source's reading alongside (``READABLE_AT``), and compares them as strings,
  byte by byte as SQLite does, against literals written the way SQLAlchemy stores them in
  SQLite.

The per-dialect constructs (readable timestamp, calendar day, fourteen digits, binary
order) have their Spark forms in :mod:`data_access.rules`, beside the others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, default
from sqlalchemy.sql import compiler
from sqlalchemy.sql.elements import False_, True_

READABLE_AT = "readable_registered_at"
"""The column of the raw rows' view that holds the source engine's own reading of
``registered_at`` (``rules.readable_timestamp`` evaluated by the source while Spark reads
the rows): a timestamp, or NULL where the source cannot read it."""

ORIGINS = ("postgresql", "sqlite")


def _timestamp_text(value: datetime) -> str:
    # how SQLAlchemy's SQLite DateTime stores a datetime (and so how the SQL refresh binds it)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def reads_text(dialect: Dialect) -> bool:
    """Whether Spark reads times and days as text: the rows came from SQLite."""
    return isinstance(dialect, SparkDialect) and dialect.origin == "sqlite"


class _SparkDateTime(sa.DateTime):
    def literal_processor(self, dialect: Dialect) -> Callable[[datetime], str]:
        textual = reads_text(dialect)

        def render(value: datetime) -> str:
            text = _timestamp_text(value)
            return f"'{text}'" if textual else f"TIMESTAMP_NTZ '{text}'"

        return render


class _SparkDate(sa.Date):
    def literal_processor(self, dialect: Dialect) -> Callable[[date], str]:
        textual = reads_text(dialect)

        def render(value: date) -> str:
            return f"'{value.isoformat()}'" if textual else f"DATE '{value.isoformat()}'"

        return render


class _SparkString(sa.String):
    def literal_processor(self, dialect: Dialect) -> Callable[[str], str]:
        def render(value: str) -> str:
            # Spark reads a backslash in a literal as an escape; the rules' literals (channel
            # names, statuses, "(not recorded)") have none, and one must not slip in unseen.
            if "\\" in value or "'" in value:
                raise ValueError(f"no Spark SQL literal is written for {value!r}")
            return f"'{value}'"

        return render


class _SparkIdentifierPreparer(compiler.IdentifierPreparer):
    """Names quoted in backticks, as Spark SQL quotes them (the base's signature, so that
    the dialect may construct it as any preparer)."""

    def __init__(
        self,
        dialect: Dialect,
        initial_quote: str = "`",
        final_quote: str | None = None,
        escape_quote: str = "``",
        quote_case_sensitive_collations: bool = True,
        omit_schema: bool = False,
    ) -> None:
        super().__init__(
            dialect,
            initial_quote,
            final_quote,
            escape_quote,
            quote_case_sensitive_collations,
            omit_schema,
        )


class _SparkCompiler(compiler.SQLCompiler):
    def visit_true(self, expr: True_, **kw: Any) -> str:
        return "true"

    def visit_false(self, expr: False_, **kw: Any) -> str:
        return "false"


class SparkDialect(default.DefaultDialect):
    """Spark SQL, reading rows that came from a source of engine ``origin``."""

    name = "spark"
    statement_compiler = _SparkCompiler
    preparer = _SparkIdentifierPreparer
    supports_native_boolean = True
    colspecs = {sa.DateTime: _SparkDateTime, sa.Date: _SparkDate, sa.String: _SparkString}

    def __init__(self, origin: str, **kwargs: Any) -> None:
        if origin not in ORIGINS:
            raise ValueError(f"Spark reads sources on {', '.join(ORIGINS)}, not {origin!r}")
        super().__init__(**kwargs)
        self.origin = origin


def to_spark_sql(statement: sa.ClauseElement, origin: str) -> str:
    """The statement as Spark SQL text, its parameters written in."""
    compiled = statement.compile(
        dialect=SparkDialect(origin), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)
