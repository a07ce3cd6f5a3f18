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
