"""The package's shape (DESIGN §2): imports point one way, and Textual stays under tui/.

`tui → sync, store, domain`; `sync → store, domain`; `store → domain`. The quick commands and
`companion watch` start fast because nothing outside `companion/tui/` loads Textual.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "companion"
TIMEOUT = 60

# What each lower layer must never import: the layers above it, and the front ends.
FRONT_ENDS = ("companion.tui", "companion.service", "companion.cli", "companion.views")
FORBIDDEN = {
    "domain": ("companion.store", "companion.sync", *FRONT_ENDS),
    "store": ("companion.sync", *FRONT_ENDS),
    "sync": FRONT_ENDS,
}
# The domain is pure Python without IO: none of the libraries that touch disk, terminal or keys.
IO_LIBRARIES = (
    "textual",
    "tinydb",
    "cryptography",
    "watchfiles",
    "click",
    "platformdirs",
    "keyring",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files(under: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def non_tui_modules() -> list[str]:
    """Every module outside companion/tui/, except `__main__` (importing it runs the CLI)."""
    names = []
    for path in source_files():
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "tui" or path.name == "__main__.py":
            continue
        names.append(module_name(path))
    return names


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (inside functions and TYPE_CHECKING too).

    `from companion import views` yields both `companion` and `companion.views`, so importing
    a module through its package is caught as well.
    """
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def hits(imports: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        name for name in imports for p in prefixes if name == p or name.startswith(p + ".")
    )


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_the_layers_are_all_there() -> None:
    modules = non_tui_modules()
    assert "companion.cli" in modules
    assert "companion.service" in modules
    for layer in FORBIDDEN:
        assert any(m.startswith(f"companion.{layer}.") for m in modules), layer
        assert source_files(PACKAGE / layer), layer


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_point_one_way(layer: str) -> None:
    wrong = {}
    for path in source_files(PACKAGE / layer):
        bad = hits(imported_modules(path), FORBIDDEN[layer])
        if bad:
            wrong[str(path.relative_to(REPO))] = bad
    assert not wrong, f"companion/{layer}/ imports from a layer above it: {wrong}"


def test_domain_is_pure_python() -> None:
    wrong = {}
    for path in source_files(PACKAGE / "domain"):
        bad = hits(imported_modules(path), IO_LIBRARIES)
        if bad:
            wrong[str(path.relative_to(REPO))] = bad
    assert not wrong, f"companion/domain/ imports IO libraries: {wrong}"


def test_textual_is_imported_only_under_tui() -> None:
    wrong = {}
    for path in source_files():
        if path.relative_to(PACKAGE).parts[0] == "tui":
            continue
        bad = hits(imported_modules(path), ("textual",))
        if bad:
            wrong[str(path.relative_to(REPO))] = bad
    assert not wrong, f"Textual imported outside companion/tui/: {wrong}"


@pytest.mark.parametrize("module", non_tui_modules())
def test_importing_does_not_load_textual(module: str) -> None:
    code = textwrap.dedent(
        f"""
        import importlib, sys
        importlib.import_module({module!r})
        loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        if loaded:
            sys.exit("importing {module} loaded " + ", ".join(loaded[:5]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr


def launchers() -> list[tuple[str, list[str]]]:
    found = [("python -m companion", [sys.executable, "-m", "companion"])]
    script = shutil.which("companion", path=str(Path(sys.executable).parent))
    if script:
        found.append(("companion", [script]))
    return found


@pytest.mark.parametrize(
    "command", [argv for _, argv in launchers()], ids=[label for label, _ in launchers()]
)
def test_help_runs(command: list[str], tmp_path: Path) -> None:
    env = clean_env()
    env["COMPANION_HOME"] = str(tmp_path / "home")
    proc = subprocess.run(
        [*command, "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
    for name in ("init", "join", "status", "sync"):
        assert name in proc.stdout
    assert not (tmp_path / "home").exists(), "--help must not create a profile"


def test_every_command_has_help_without_textual(tmp_path: Path) -> None:
    """`--help` on each command and subcommand exits 0, and none of them loads Textual."""
    code = textwrap.dedent(
        """
        import sys
        import click
        from companion.cli import cli, main

        def paths(group, prefix):
            for name, command in sorted(group.commands.items()):
                yield [*prefix, name]
                if isinstance(command, click.Group):
                    yield from paths(command, [*prefix, name])

        failed = []
        for path in paths(cli, []):
            try:
                main([*path, "--help"])
            except SystemExit as exc:
                if exc.code not in (0, None):
                    failed.append(f"{' '.join(path)} exited {exc.code}")
        if "textual" in sys.modules:
            failed.append("Textual was loaded")
        if failed:
            sys.exit("; ".join(failed))
        """
    )
    env = clean_env()
    env["COMPANION_HOME"] = str(tmp_path / "home")
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage: companion init" in proc.stdout


def test_the_first_paint_loads_no_storage_crypto_or_sync() -> None:
    """`companion` paints Tonight from the start-up helper's data: the session, its crypto
    and storage, sync and the command line load afterwards, off the first paint's path."""
    code = (
        "import sys, companion.entry, companion.tui.app, companion.tui.prefetch;"
        "heavy = ('companion.service', 'companion.store.crypto', 'cryptography', 'tinydb',"
        " 'companion.sync.engine', 'companion.store.replica', 'click', 'keyring', 'watchfiles',"
        " 'companion.domain.records', 'companion.domain.hlc', 'companion.sync.problems',"
        " 'companion.tui.read.care', 'companion.tui.read.gratitude', 'companion.tui.read.checkin',"
        " 'companion.tui.read.agreements', 'companion.tui.read.progress',"
        " 'companion.tui.read.history', 'companion.tui.read.settings',"
        " 'companion.tui.read.sync_state');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
