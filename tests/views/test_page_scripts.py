"""Nothing a page script says to its reader reaches its users (issue 16, defect 3).

Streamlit's "magic" draws every bare expression of a page script, a string included: a
note written as a string after a constant once showed on the Map page. Magic is off in
the app's configuration, and no page script holds a bare expression besides its module
docstring (which Streamlit never draws), so that neither alone stands between a note and
the page.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from data_access.config import PROJECT_ROOT

SCRIPTS = sorted([PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "views").glob("*.py")])


def test_magic_is_off() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["magicEnabled"] is False


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_bare_expression_in_a_page_script(script: Path) -> None:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    bare = [
        f"line {node.lineno}: {ast.unparse(node)[:60]}"
        for top in body
        for node in ast.walk(top)
        if isinstance(node, ast.Expr)
        and not isinstance(node.value, ast.Call | ast.Await | ast.Yield | ast.YieldFrom)
        and not _is_docstring_of_a_definition(node, tree)
    ]
    assert not bare, f"{script.name} would show these on the page: {bare}"


def _is_docstring_of_a_definition(node: ast.Expr, tree: ast.Module) -> bool:
    definitions = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    return any(
        isinstance(definition, definitions) and definition.body[0] is node
        for definition in ast.walk(tree)
    )


PAGE_SCRIPTS = sorted((PROJECT_ROOT / "views").glob("*.py"))


@pytest.mark.parametrize("script", PAGE_SCRIPTS, ids=lambda p: p.name)
def test_every_page_opens_in_the_one_frame(script: Path) -> None:
    """Words, filters, registry, header and the stop for an empty scope come from
    ``ui.frame.open_page``: no page reads the filters or draws its header by itself."""
    source = script.read_text(encoding="utf-8")
    tree = ast.parse(source)
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "open_page" in called, f"{script.name} does not open with ui.frame.open_page"
    assert 'session_state["filters"]' not in source, f"{script.name} reads the filters itself"
    assert "st.header(" not in source, f"{script.name} draws its own header"
