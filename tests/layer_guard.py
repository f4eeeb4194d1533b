"""Guards on the pytest layers, loaded by tests/conftest.py: a layer cannot silently shrink.

``make test-unit`` / ``make test-conversation`` / ``make test-conversation-pg``
run ``pytest --layer NAME -m EXPR tests``. With ``--layer``:

- the run fails when fewer tests ran (passed, failed or skipped) than the
  layer's floor in ``tests/test_floors.yml``, and when more were skipped than
  its ``max_skipped`` while the CI services are configured
  (``ASSISTANT_TEST_POSTGRES_URL`` and ``ASSISTANT_TEST_REDIS_URL`` set);
  no test at all is pytest's exit code 5, a failure for the Makefile too;
- the count is printed and written to ``results/layers/NAME.txt`` (``make test``
  prints them together at the end).

Always, with or without ``--layer``:

- an ``-m`` expression naming a marker that is not registered (pyproject.toml)
  is a usage error: ``-m "not conversaton"`` would otherwise select every test;
- markers are strict (``--strict-markers``): ``@pytest.mark.conversaton`` is an error;
- a test under tests/conversation/ without the ``conversation`` marker, or under
  tests/browser/ without ``browser``, or a unit-layer test starting a server
  (``start_assistant``) is an error: it would land in the wrong layer;
- the checks registered with :func:`add_session_check` run at the end of the
  session and fail it (tests/conftest.py: no conversation opened with a
  training example).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Dict, List

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FLOORS_FILE = ROOT / "tests" / "test_floors.yml"
REPORT_DIR = ROOT / "results" / "layers"
CI_SERVICES = ("ASSISTANT_TEST_POSTGRES_URL", "ASSISTANT_TEST_REDIS_URL")

# folder under tests/ -> marker its tests must carry
FOLDER_MARKERS = {"conversation": "conversation", "browser": "browser"}

_KEYWORDS = {"and", "or", "not", "True", "False"}

_state: Dict[str, object] = {"layer": None}
_session_checks: List[Callable[[], List[str]]] = []


def add_session_check(check: Callable[[], List[str]]) -> None:
    """Run ``check`` at the end of the session; the problems it returns fail the run.

    (tests/conftest.py is also imported as ``tests.conftest`` by some test modules:
    each copy registers its own check, on its own state.)
    """
    if check not in _session_checks:
        _session_checks.append(check)


def current_layer() -> str | None:
    """The ``--layer`` of this run (None for a plain pytest run)."""
    return _state["layer"]  # type: ignore[return-value]


def load_floors() -> Dict[str, Dict[str, int]]:
    data = yaml.safe_load(FLOORS_FILE.read_text(encoding="utf-8")) or {}
    layers = data.get("layers") or {}
    for name, floor in layers.items():
        if not isinstance(floor, dict) or not isinstance(floor.get("min_tests"), int):
            raise pytest.UsageError(f"{FLOORS_FILE.name}: layer {name!r} needs an integer min_tests")
    return layers


def marker_names(expression: str) -> List[str]:
    """The marker names an ``-m`` expression refers to (``foo(x=1)`` counts as ``foo``)."""
    without_arguments = re.sub(r"\([^()]*\)", "", expression)
    return [word for word in re.findall(r"[A-Za-z_][\w]*", without_arguments) if word not in _KEYWORDS]


def registered_markers(config: pytest.Config) -> set:
    return {re.split(r"[:(]", line, maxsplit=1)[0].strip() for line in config.getini("markers")}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--layer",
        default=None,
        help="name of the test layer run (tests/test_floors.yml): enforce its floor and report its count",
    )


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # @pytest.mark.<typo> is an error, as with --strict-markers
    config.option.strict_markers = True
    expression = config.option.markexpr or ""
    unknown = sorted(set(marker_names(expression)) - registered_markers(config))
    if unknown:
        raise pytest.UsageError(
            f"-m {expression!r}: unknown marker(s) {', '.join(unknown)}; "
            f"registered: {', '.join(sorted(registered_markers(config) & {'conversation', 'browser', 'postgres', 'slow'}))}"
        )
    layer = config.getoption("--layer")
    if layer is not None:
        floors = load_floors()
        if layer not in floors:
            raise pytest.UsageError(f"--layer {layer!r} is not in {FLOORS_FILE.name} (layers: {', '.join(floors)})")
        if not expression:
            raise pytest.UsageError(f"--layer {layer}: give the layer's -m marker expression")
    _state.update(layer=layer, passed=0, failed=0, skipped=0, deselected=0, selected=0, problems=[])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Every test of a server folder carries its marker (seen before ``-m`` deselects anything)."""
    misplaced = []
    tests_dir = ROOT / "tests"
    for item in items:
        try:
            folder = Path(str(item.path)).resolve().relative_to(tests_dir).parts[0]
        except ValueError:
            continue
        marker = FOLDER_MARKERS.get(folder)
        if marker and item.get_closest_marker(marker) is None:
            misplaced.append(f"{item.nodeid} (tests/{folder}/ without @pytest.mark.{marker})")
    if misplaced:
        raise pytest.UsageError("tests in the wrong layer:\n  " + "\n  ".join(misplaced[:20]))


def pytest_deselected(items: List[pytest.Item]) -> None:
    _state["deselected"] = int(_state.get("deselected", 0)) + len(items)  # type: ignore[arg-type]


def pytest_collection_finish(session: pytest.Session) -> None:
    _state["selected"] = len(session.items)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and not report.passed):
        outcome = "failed" if report.failed else report.outcome
        _state[outcome] = int(_state.get(outcome, 0)) + 1  # type: ignore[arg-type]


def _summary(layer: str, floor: Dict[str, int]) -> str:
    ran = int(_state["passed"]) + int(_state["failed"]) + int(_state["skipped"])  # type: ignore[arg-type]
    return (
        f"layer {layer}: {ran} tests ran (floor {floor['min_tests']}): {_state['passed']} passed, "
        f"{_state['failed']} failed, {_state['skipped']} skipped, {_state['deselected']} deselected"
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    problems: List[str] = []
    for check in _session_checks:
        problems += [problem for problem in check() if problem not in problems]
    _state["problems"] = problems
    if problems and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    layer = current_layer()
    if layer is None:
        return
    floor = load_floors()[layer]
    ran = int(_state["passed"]) + int(_state["failed"]) + int(_state["skipped"])  # type: ignore[arg-type]
    if ran < floor["min_tests"]:
        problems.append(
            f"only {ran} tests ran in layer {layer}, its floor is {floor['min_tests']} ({FLOORS_FILE.name}): "
            "a folder, module or marker was lost"
        )
    max_skipped = floor.get("max_skipped")
    if max_skipped is not None and all(os.environ.get(name) for name in CI_SERVICES):
        if int(_state["skipped"]) > max_skipped:  # type: ignore[arg-type]
            problems.append(
                f"{_state['skipped']} tests skipped in layer {layer} with the CI services configured, "
                f"at most {max_skipped} allowed ({FLOORS_FILE.name})"
            )
    line = _summary(layer, floor) + (": FAILED" if problems or exitstatus != 0 else ": OK")
    _state["line"] = line
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{layer}.txt").write_text(line + "\n", encoding="utf-8")
    if problems and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    for problem in _state.get("problems") or []:  # type: ignore[union-attr]
        terminalreporter.write_line(f"GUARD: {problem}", red=True, bold=True)
    if current_layer() is not None and "line" in _state:
        terminalreporter.write_line(str(_state["line"]), bold=True)
