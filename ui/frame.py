"""One frame for every page: the words, the filters in force, the registry, the scope's
name in words, the header and caption, and the one stop for a scope without registrations.

A page script begins with ``page = open_page("overview")`` and reads everything else from
``page``; what it draws below is its own. The registry tables are read once per run
(``ui.data`` caches them), the names are the language's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import streamlit as st

from data_access.config import load_settings
from i18n import Words
from metrics.adoption import has_registrations
from ui import data
from ui.filters import (
    Filters,
    block_names,
    blocks_of,
    districts_name,
    facilities_in_scope,
    period_name,
    scope_caption,
    scope_name,
)
from ui.language import words


@dataclass(frozen=True)
class PageContext:
    """What a page needs to know before it draws: read-only, made by ``open_page``."""

    w: Words
    filters: Filters
    districts: pd.DataFrame
    """The districts the user may see (all of the division, or a collector's own)."""
    facilities: pd.DataFrame
    """The facility registry the user may see."""

    @cached_property
    def scope_name(self) -> str:
        """Where the figures are from: 'Bastar division', 'Dakshin Bastar Dantewada', …"""
        return scope_name(self.filters, self.districts, self.facilities, self.w)

    @cached_property
    def everything_name(self) -> str:
        """All the user may see: 'Bastar division', or a collector's districts by name
        (the row or line of "all" of a page holds exactly those figures)."""
        return districts_name((), self.districts, self.w)

    @cached_property
    def scope_text(self) -> str:
        """Scope, facility types and period in words: every page's caption says it."""
        return scope_caption(self.filters, self.districts, self.facilities, self.w)

    @cached_property
    def period_text(self) -> str:
        return period_name(self.filters, self.w)

    @cached_property
    def in_scope(self) -> pd.DataFrame:
        """The facility registry rows the filters cover."""
        return facilities_in_scope(self.filters, self.facilities)

    @cached_property
    def district_names(self) -> dict[int, str]:
        return {int(code): name for code, name in self.w.district_names(self.districts).items()}

    @cached_property
    def facility_names(self) -> dict[str, str]:
        return dict(self.w.facility_names(self.facilities))

    @cached_property
    def division_of_district(self) -> dict[int, str]:
        """LGD code → its division's name in the language ("Bastar division")."""
        districts = self.districts
        return {
            int(code): self.w.division_names(districts[districts["lgd_code"] == code])
            for code in districts["lgd_code"]
        }

    @cached_property
    def block_of_facility(self) -> dict[str, str | None]:
        """HFR ID → the key of its block (``ui.filters.block_key``), None for none recorded."""
        return dict(blocks_of(self.facilities))

    def blocks_in(self, rows: pd.DataFrame) -> dict[str, str]:
        """HFR ID of each of the registry ``rows`` → its block's key; "" for none recorded
        (summed as "block not recorded")."""
        return {fid: self.block_of_facility.get(fid) or "" for fid in rows["facility_id"]}

    @cached_property
    def block_names(self) -> dict[str, str]:
        """Block key → its name in the language (with its district's where two districts
        have a block of one name)."""
        return block_names(self.facilities, self.districts, self.w)

    def target_input(self, where, label: str, *, key: str, disabled: bool = False) -> float:  # type: ignore[no-untyped-def]
        """The adoption target, in per cent, from a number box drawn in ``where``: it starts
        at ``[dashboard] adoption_target_percent`` and may be changed for this page."""
        start = load_settings().adoption_target_percent
        if float(start).is_integer():  # whole per cent: the box counts in whole numbers
            return where.number_input(label, 0, 100, int(start), 5, key=key, disabled=disabled)
        return where.number_input(label, 0.0, 100.0, float(start), 5.0, key=key, disabled=disabled)

    def stop_unless_registrations(self, counts: pd.DataFrame, where=None) -> None:  # type: ignore[no-untyped-def]
        """Say "no registrations in <scope>" and end the page when ``counts`` holds none.

        The one test of "empty" for every page: no rows, or rows that add up to nothing.
        """
        if not has_registrations(counts):
            (where if where is not None else st).info(
                self.w.markdown("common.no_registrations_in", scope=self.scope_text)
            )
            st.stop()


def open_page(name: str, *, caption: bool = True) -> PageContext:
    """The page's frame: header ``<name>.header`` and caption ``<name>.caption`` (with the
    scope in words as ``{scope}``), and the context the page draws from."""
    page = PageContext(
        w=words(),
        filters=st.session_state["filters"],
        districts=data.districts(),
        facilities=data.facilities(),
    )
    st.header(page.w(f"{name}.header"))
    if caption:
        st.caption(page.w.markdown(f"{name}.caption", scope=page.scope_text))
    return page
