"""``Words``: the catalogue and the formats bound to one language.

The code that draws a page or an export holds one ``Words`` and asks it for every
string: ``words("overview.title")``, ``words.count(60045)``, ``words.name(row)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from i18n import LOCALES, check_language, text
from i18n import formats as f
from i18n.markdown import literal


@dataclass(frozen=True)
class Words:
    lang: str

    def __post_init__(self) -> None:
        check_language(self.lang)

    @property
    def locale(self) -> str:
        return LOCALES[self.lang]

    def __call__(self, key: str, /, **values: object) -> str:
        """The message as plain text: for files, chart titles, options, table cells."""
        return text(self.lang, key, **values)

    def markdown(self, key: str, /, **values: object) -> str:
        """The message for an element that renders Markdown (st.toast, st.caption, st.info…):
        the catalogue's own Markdown kept, each value shown as its characters.

        Values are names from the registry, values from a link, texts of errors: written
        into Markdown as they are, ``[x](http://…)`` in a facility's name would be a link
        in the dashboard's own words (``i18n.markdown.literal``).
        """
        return text(self.lang, key, **{name: literal(value) for name, value in values.items()})

    # --- names from the data -----------------------------------------------------------------
    @property
    def name_column(self) -> str:
        """The registry column holding names in this language (name_hi or name_en)."""
        return "name_hi" if self.lang == "hi" else "name_en"

    def names(self, registry: pd.DataFrame, key: str) -> pd.Series:
        """Names of districts or facilities in this language, indexed by ``key``.

        A Hindi name missing from the registry falls back to the English one.
        """
        shown = registry.get(self.name_column, registry["name_en"])
        blank = shown.isna() | (shown.astype(str).str.strip() == "")
        shown = shown.where(~blank, registry["name_en"])
        return pd.Series(shown.to_numpy(), index=registry[key].to_numpy())

    def district_names(self, districts: pd.DataFrame) -> pd.Series:
        """LGD code → district name."""
        return self.names(districts, "lgd_code")

    def facility_names(self, facilities: pd.DataFrame) -> pd.Series:
        """HFR ID → facility name."""
        return self.names(facilities, "facility_id")

    def division(self) -> str:
        """The name a page gives all it shows when the registry names no area (no district
        at all): the catalogue's "Bastar division", the deployment this began with."""
        return self("common.division")

    def _area_name(self, kind: str, english: object, hindi: object) -> str:
        """A division's or state's name in this language: in Hindi the source's own Hindi
        name (``divisions``/``states``), else the catalogue's, else as written."""
        name = str(english).strip()
        if self.lang == "hi" and isinstance(hindi, str) and hindi.strip():
            return hindi.strip()
        return self.label(kind, name)

    def region(self, districts: pd.DataFrame) -> str:
        """The area that holds every district of ``districts``, named from the registry: the
        division when they all belong to one ("Bastar division", "बस्तर संभाग"), else their
        state ("Chhattisgarh"), else the states joined. No district: :meth:`division`."""
        if districts.empty or "division" not in districts:
            return self.division()
        if districts["division"].nunique() == 1:
            return self.division_names(districts)
        states = districts.drop_duplicates("state")
        return ", ".join(
            self._area_name("state", row["state"], row.get("state_hi"))
            for _, row in states.sort_values("state").iterrows()
        )

    def division_names(self, districts: pd.DataFrame) -> str:
        """The divisions of ``districts``, each as a division ("Bastar division, Raipur
        division"): a commissioner's area, whose districts are whole divisions."""
        divisions = districts.drop_duplicates("division").sort_values("division")
        return ", ".join(
            self(
                "common.division_of",
                name=self._area_name("division", row["division"], row.get("division_hi")),
            )
            for _, row in divisions.iterrows()
        )

    def districts_or_divisions(self, chosen: Sequence[int], registry: pd.DataFrame) -> str | None:
        """``chosen`` named as whole divisions ("Raipur division") when they are exactly
        the districts of some divisions of ``registry`` (every district of the source, not
        a user's share of it), each of two districts or more; else None. A collector's
        district is never its division: the whole division is not chosen."""
        if not chosen or registry.empty or "division" not in registry:
            return None
        codes = {int(code) for code in chosen}
        touched = registry[registry["lgd_code"].astype(int).isin(codes)]["division"].dropna()
        whole = registry[registry["division"].isin(set(touched))]
        if set(whole["lgd_code"].astype(int)) != codes:
            return None
        if (whole.groupby("division")["lgd_code"].nunique() < 2).any():
            return None
        return self.division_names(whole)

    def area_name(self, chosen: Sequence[int], districts: pd.DataFrame) -> str:
        """The districts ``chosen`` by name, or, none chosen, :meth:`region` of all of
        ``districts``: what a caption, a file or a headline says the figures are of."""
        if not chosen:
            return self.region(districts)
        names = self.district_names(districts)
        return ", ".join(str(names.get(code, code)) for code in chosen)

    def label(self, group: str, value: object) -> str:
        """A coded value in words: ``label("facility_type", "DH")``, ``label("channel", …)``.

        Codes the catalogue does not know are shown as they are.
        """
        try:
            return self(f"{group}.{value}")
        except KeyError:
            return str(value)

    # --- numbers and dates -------------------------------------------------------------------
    def count(self, value: float | None) -> str:
        return f.count(value, self.lang)

    def signed_count(self, value: float) -> str:
        return f.signed_count(value, self.lang)

    def short_count(self, value: float | None) -> str:
        return f.short_count(value, self.lang)

    def percent(self, share: float | None, digits: int = 1) -> str:
        return f.percent(share, self.lang, digits)

    def signed_percent(self, share: float | None, digits: int = 1) -> str:
        return f.signed_percent(share, self.lang, digits)

    def points(self, change_in_points: float | None) -> str:
        return f.points(change_in_points, self.lang)

    def day(self, value: date | None) -> str:
        return f.day(value, self.lang)

    def month_year(self, value: date) -> str:
        return f.month_year(value, self.lang)

    def period(self, start: date, end: date) -> str:
        return f.period(start, end, self.lang)

    def period_phrase(self, start: date, end: date) -> str:
        return f.period_phrase(start, end, self.lang)

    def fy_label(self, fy_start_year: int) -> str:
        return f.fy_label(fy_start_year, self.lang)

    def quarter_label(self, value: date) -> str:
        return f.quarter_label(value, self.lang)

    def vega_locale(self) -> dict:
        return f.vega_locale(self.lang)
