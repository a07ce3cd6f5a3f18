"""Errors a user can act on. Each message names the problem and what to do about it."""


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
