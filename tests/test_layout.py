"""The shape of the code: modules small enough to read, page templates named once."""

from __future__ import annotations

from pathlib import Path

from server.templating import TEMPLATE_DIR, template_folders

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600
# Where the product's code lives; migrations are generated and the demo data is data.
CODE = ("server", "sessions", "booths", "web", "bench")
NOT_CODE = ("server/migrations/", "server/demo/data.py")


def _modules() -> list[Path]:
    found = []
    for top in CODE:
        for path in (ROOT / top).rglob("*"):
            rel = path.relative_to(ROOT).as_posix()
            if path.suffix in (".py", ".js") and not rel.startswith(NOT_CODE):
                found.append(path)
    return found


def test_no_module_is_over_600_lines() -> None:
    modules = _modules()
    assert len(modules) > 50
    too_long = {
        p.relative_to(ROOT).as_posix(): n
        for p in modules
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these by concept: {too_long}"


def test_every_page_template_has_one_name_across_the_folders() -> None:
    folders = template_folders()
    assert folders[0].name == "core"
    assert {f.name for f in folders} >= {"core", "sessions", "booths"}
    names: dict[str, list[str]] = {}
    for folder in folders:
        for path in folder.rglob("*.html"):
            names.setdefault(path.relative_to(folder).as_posix(), []).append(folder.name)
    assert len(names) > 20
    assert {n: f for n, f in names.items() if len(f) > 1} == {}
    # Nothing is left at the top, where it would be found by no loader.
    assert list(TEMPLATE_DIR.glob("*.html")) == []
