"""The registration database contract (../shared/spec/registration-db.md) as SQLAlchemy Core.

These tables are what the dashboard reads from the *source*: the e-Hospital replica or
the demo file. The dashboard never writes to them. A deployment may have more columns and
tables; only the ones named here are read.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

CHANNELS = ("counter", "scan_share", "abha_kiosk", "online")
VISIT_TYPES = ("new", "follow_up")
GENDERS = ("M", "F", "O")
FACILITY_TYPES = ("DH", "CH", "CHC")

REQUIRED_TABLES = ("districts", "facilities", "opd_registrations")
OPTIONAL_TABLES = ("abha_enrolments", "facility_staff", "divisions", "states")


def source_metadata(*, with_keys: bool = True) -> sa.MetaData:
    """The contract's tables.

    ``with_keys=False`` leaves out the primary key and NOT NULL constraints of
    ``opd_registrations``: that is how a replica without keys looks, and it is what lets
    the demo and the tests hold duplicates and the other dirty rows of the counting rules.
    """
    md = sa.MetaData()
    sa.Table(
        "districts",
        md,
        sa.Column("lgd_code", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("name_hi", sa.Text, nullable=False),
        sa.Column("division", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )
    sa.Table(
        "facilities",
        md,
        sa.Column("facility_id", sa.Text, primary_key=True),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("name_hi", sa.Text),
        sa.Column("facility_type", sa.Text, nullable=False),
        sa.Column("district_lgd", sa.Integer, nullable=False),
        sa.Column("block", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("ehospital_go_live", sa.Date),
    )
    strict = with_keys
    sa.Table(
        "opd_registrations",
        md,
        sa.Column("registration_id", sa.Text, primary_key=strict, nullable=not strict),
        sa.Column("facility_id", sa.Text, nullable=not strict),
        sa.Column("registered_at", sa.DateTime, nullable=not strict),
        sa.Column("abha_number", sa.Text),
        sa.Column("channel", sa.Text, nullable=not strict),
        sa.Column("visit_type", sa.Text, nullable=not strict),
        sa.Column("department", sa.Text),
        sa.Column("gender", sa.Text),
        sa.Column("age_years", sa.Integer),
        *(
            ()
            if strict
            else (
                sa.Index("ix_opd_registrations_registration_id", "registration_id"),
                sa.Index("ix_opd_registrations_registered_at", "registered_at"),
            )
        ),
    )
    sa.Table(
        "abha_enrolments",
        md,
        sa.Column("facility_id", sa.Text, nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("enrolments", sa.Integer, nullable=False),
    )
    sa.Table(
        "facility_staff",
        md,
        sa.Column("facility_id", sa.Text, nullable=False),
        sa.Column("cadre", sa.Text, nullable=False),
        sa.Column("sanctioned_or_working", sa.Integer, nullable=False),
        sa.Column("hpr_registered", sa.Integer, nullable=False),
    )
    # The Hindi names of the divisions and states that ``districts`` names (in English):
    # without them a name missing from the dashboard's catalogue is shown in English.
    sa.Table(
        "divisions",
        md,
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("name_hi", sa.Text, nullable=False),
    )
    sa.Table(
        "states",
        md,
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("name_hi", sa.Text, nullable=False),
    )
    return md


CONTRACT = source_metadata()
districts = CONTRACT.tables["districts"]
facilities = CONTRACT.tables["facilities"]
opd_registrations = CONTRACT.tables["opd_registrations"]
abha_enrolments = CONTRACT.tables["abha_enrolments"]
facility_staff = CONTRACT.tables["facility_staff"]
divisions = CONTRACT.tables["divisions"]
states = CONTRACT.tables["states"]


@dataclass(frozen=True)
class ContractProblem:
    """One way a database departs from the contract, in words a database admin can act on."""

    table: str
    column: str | None
    message: str
    required: bool = True

    def __str__(self) -> str:
        where = self.table if self.column is None else f"{self.table}.{self.column}"
        return f"{where}: {self.message}"


_TYPE_FAMILIES: dict[type, tuple[str, ...]] = {
    sa.Integer: ("INT", "NUMERIC", "DECIMAL", "BIGINT", "SMALLINT"),
    sa.Text: ("TEXT", "CHAR", "VARCHAR", "STRING", "CLOB"),
    sa.Float: ("REAL", "FLOAT", "DOUBLE", "NUMERIC", "DECIMAL"),
    sa.Date: ("DATE", "TIMESTAMP", "TEXT", "VARCHAR"),
    sa.DateTime: ("TIMESTAMP", "DATETIME", "TEXT", "VARCHAR"),
}


def _type_fits(expected: sa.types.TypeEngine, actual: sa.types.TypeEngine) -> bool:
    """Loose type check: the family matters, not the exact spelling of each engine."""
    actual_name = str(actual).upper()
    for family, spellings in _TYPE_FAMILIES.items():
        if isinstance(expected, family):
            return any(s in actual_name for s in spellings)
    return True


def check_contract(engine: sa.Engine) -> list[ContractProblem]:
    """Every table and column of the contract that is missing or of the wrong kind."""
    inspector = sa.inspect(engine)
    present = {name.lower(): name for name in inspector.get_table_names()}
    present.update({name.lower(): name for name in inspector.get_view_names()})
    problems: list[ContractProblem] = []
    for table in CONTRACT.sorted_tables:
        required = table.name in REQUIRED_TABLES
        if table.name not in present:
            hint = "required table is missing" if required else "optional table is absent"
            problems.append(ContractProblem(table.name, None, hint, required))
            continue
        columns = {c["name"].lower(): c for c in inspector.get_columns(present[table.name])}
        for column in table.columns:
            found = columns.get(column.name)
            if found is None:
                problems.append(ContractProblem(table.name, column.name, "column is missing", True))
            elif not _type_fits(column.type, found["type"]):
                problems.append(
                    ContractProblem(
                        table.name,
                        column.name,
                        f"has type {found['type']}, expected {column.type}",
                        True,
                    )
                )
    return problems
