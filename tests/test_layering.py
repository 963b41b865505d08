"""The package's shape (DESIGN §2): imports point one way, and Textual stays under tui/.

`tui → service → sync → store → domain`, with `cli`, `views` and `verify` beside the TUI, and
`serve` (the app in a browser) beside them too, carrying a terminal's bytes and nothing else.
The TUI goes through the service (two named exceptions, TUI_BELOW_SERVICE) and asks the
session what it needs rather than reaching into it; no module imports itself back through
others. The quick commands and `companion watch` start fast because nothing outside
`companion/tui/` loads Textual.
"""

from __future__ import annotations

import ast
import os
import re
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
FRONT_ENDS = (
    "companion.tui",
    "companion.service",
    "companion.cli",
    "companion.views",
    "companion.arrivals",
    "companion.serve",
)
FORBIDDEN = {
    "domain": ("companion.store", "companion.sync", *FRONT_ENDS),
    "store": ("companion.sync", *FRONT_ENDS),
    "sync": FRONT_ENDS,
    "service": (
        "companion.tui",
        "companion.cli",
        "companion.views",
        "companion.arrivals",
        "companion.verify",
        "companion.serve",
    ),
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
    "aiohttp",
    "textual_serve",
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


# What the TUI may import from below the service: nothing but these two, each for a reason.
# - companion.store.home: where the profile is, read before anything else loads (os and
#   pathlib only), so that `companion` can start its helper at once.
# - companion.sync.watcher: the folder watcher, which the app runs as its own async worker.
TUI_BELOW_SERVICE = ("companion.store.home", "companion.sync.watcher")


def test_the_tui_goes_through_the_service() -> None:
    """`tui → service → sync → store → domain`: the TUI reaches the layers under the service
    only where TUI_BELOW_SERVICE says, and never the session's insides."""
    wrong = {}
    for path in source_files(PACKAGE / "tui"):
        below = hits(imported_modules(path), ("companion.store", "companion.sync"))
        # `from companion.store import home` names the package too; its modules are checked.
        below = [name for name in below if name not in ("companion.store", "companion.sync")]
        bad = [name for name in below if not hits({name}, TUI_BELOW_SERVICE)]
        if bad:
            wrong[str(path.relative_to(REPO))] = bad
    assert not wrong, f"companion/tui/ imports under the service: {wrong}"


# What `companion serve` may import of the package: it runs the app in processes of its own
# and never opens the space, so nothing of the session, sync or storage (errors, and where
# the profile is and what its passphrase variable is called, are all it needs).
SERVE_MAY_IMPORT = ("companion.serve", "companion.errors", "companion.store.home")


def test_serve_only_carries_bytes() -> None:
    """companion/serve/ puts the app in a browser tab; the app itself reads the space."""
    wrong = {}
    for path in source_files(PACKAGE / "serve"):
        ours = hits(imported_modules(path), ("companion",))
        ours = [name for name in ours if name not in ("companion", "companion.store")]
        bad = [name for name in ours if not hits({name}, SERVE_MAY_IMPORT)]
        if bad:
            wrong[str(path.relative_to(REPO))] = bad
    assert source_files(PACKAGE / "serve"), "companion/serve/ is missing"
    assert not wrong, f"companion/serve/ imports more of the package than it needs: {wrong}"


SESSION_INSIDES = re.compile(r"\bsession\.(replica|journal|profile)\b")


def test_front_ends_ask_the_session_not_its_insides() -> None:
    """The TUI, the command line and the views ask the session what they need; they don't
    reach into its replica, journal or profile."""
    wrong = {}
    front = [*source_files(PACKAGE / "tui"), *source_files(PACKAGE / "cli")]
    for path in [*front, PACKAGE / "views.py", PACKAGE / "arrivals.py"]:
        found = SESSION_INSIDES.findall(path.read_text("utf-8"))
        if found:
            wrong[str(path.relative_to(REPO))] = sorted(set(found))
    assert not wrong, f"front ends reach into the session: {wrong}"


def module_imports() -> dict[str, set[str]]:
    """Each module of the package → the package's modules it imports (at any depth)."""
    paths = {module_name(path): path for path in source_files()}
    graph = {}
    for name, path in paths.items():
        # `from companion.x import y` names either a module (companion.x.y) or a name in x.
        graph[name] = {found for found in imported_modules(path) if found in paths} - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, as the list of modules around it, or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_path:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in done:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for node in sorted(graph):
        if node not in done:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles() -> None:
    """No module of companion/ imports, however indirectly, a module that imports it back
    (imports inside functions and under TYPE_CHECKING count too; a package's __init__
    importing its own modules is how a package is made and is left out)."""
    graph = module_imports()
    for name, found in graph.items():
        # A module importing a sibling loads its package's __init__ first; that edge is
        # Python's, not the code's, so a package's __init__ is followed only as imported.
        graph[name] = {m for m in found if not name.startswith(m + ".")}
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    """Each module can be read in one sitting (DESIGN §2)."""
    long = {
        str(path.relative_to(REPO)): count
        for path in source_files()
        if (count := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
