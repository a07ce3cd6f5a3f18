"""Errors a user can act on. Each message names the problem and what to do about it."""

from datetime import date


class DashboardError(Exception):
    """A problem worth one plain sentence to the user, never a traceback."""


class ConfigurationError(DashboardError):
    """The configuration cannot be read or names something impossible."""


class DatabaseUnavailable(DashboardError):
    """The database cannot be reached or opened."""


class ContractError(DashboardError):
    """The database does not have the contract's tables and columns."""


class BadFilter(DashboardError):
    """A filter value (period, district, facility, breakdown) that cannot be applied."""


class StoreUnavailable(DatabaseUnavailable):
    """The analytics store does not answer (down, unreachable, or a query timed out).

    ``timed_out``: the store answers but a query ran past the statement timeout (then the
    page does not retry by itself: the next click does)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class RowsUnaccounted(DashboardError):
    """A refresh read a day's rows and could not account for every one of them (counted
    once, or excluded under one kind): the refresh is rolled back and names the days.

    ``days``: each such day (None: the rows outside every day) with the rows in the
    source and the rows the refresh accounted for."""

    def __init__(self, days: dict[date | None, tuple[int, int]]) -> None:
        shown = sorted(days.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
        listed = "; ".join(
            f"{'rows outside every day' if day is None else day}: {source:,} in the source, "
            f"{accounted:,} accounted for"
            for day, (source, accounted) in shown[:10]
        )
        more = f" (and {len(shown) - 10} more days)" if len(shown) > 10 else ""
        super().__init__(
            f"the refresh did not account for every row of {len(shown)} "
            f"day{'s' if len(shown) != 1 else ''} — {listed}{more}. The analytics tables "
            "keep their previous state; please report this (docs/contract.md, counting rules)."
        )
        self.days = days
