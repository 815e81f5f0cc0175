"""Rules of the house that a reviewer would otherwise have to remember (docs/architecture.md,
CONTRIBUTING.md). Each test reads the source tree and names every place that breaks its rule."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "sgu"
TESTS = ROOT / "tests"


# A template asks (a model property, a policy), it does not decide: comparing a state, a role
# or another code to a literal puts a rule where no test of the rule can see it.
LITERAL_COMPARISON = re.compile(r"\{%[^%]*?(==|!=)\s*['\"][A-Z][A-Z_]{2,}['\"][^%]*%\}")


def test_templates_do_not_compare_codes_to_literals():
    found = [
        f"{path.relative_to(ROOT)}:{html[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
        for path in sorted(SRC.rglob("*.html"))
        for html in [path.read_text(encoding="utf-8")]
        for m in LITERAL_COMPARISON.finditer(html)
    ]
    assert not found, "Plantillas que deciden en vez de preguntar:\n" + "\n".join(found)


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, ("." * node.level) + node.module


def test_tests_take_their_data_from_the_factories_not_from_other_tests():
    """One package of test data (tests/factories/): a test module never imports another test
    module or a conftest, so each file reads on its own and a helper lives in one place."""
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for lineno, module in _imports(path):
            last = module.rsplit(".", 1)[-1]
            if last == "conftest" or last.startswith("test_"):
                found.append(f"{path.relative_to(ROOT)}:{lineno}: from {module} import …")
    assert not found, "Importe de factories:\n" + "\n".join(found)


WRITE_CALL = re.compile(
    r"\.(save|create|bulk_create|update|update_or_create|get_or_create|delete|enqueue)\(|"
    r"\b(queue_email|queue_emails|queue_webhook|next_number|record_event|audit\.record)\("
)


def test_public_services_take_keyword_arguments():
    """A use case reads the same at every call site (`register_case(citizen=…, data=…)`):
    every public function of a services module that writes takes keyword arguments only."""
    found = []
    for path in sorted(SRC.rglob("services*.py")) + sorted(SRC.rglob("services/*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            writes = (
                any("atomic" in ast.unparse(d) for d in node.decorator_list)
                or "by" in {a.arg for a in node.args.args + node.args.kwonlyargs}
                or bool(WRITE_CALL.search(ast.unparse(node)))
            )
            positional = node.args.posonlyargs + node.args.args
            if writes and positional:
                names = ", ".join(a.arg for a in positional)
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name}({names}, …)")
    assert not found, "Use `*` antes de los argumentos:\n" + "\n".join(found)


ORM_WRITE = re.compile(
    r"\.(save|create|bulk_create|update|update_or_create|get_or_create|delete)\(|\.cursor\("
)


def test_tasks_and_rollups_leave_their_writes_to_services():
    """A task orders services around a network call (claim, send, record); the rollups'
    refresh computes what to recompute. Neither writes a row itself (docs/architecture.md)."""
    found = []
    paths = [p for p in sorted(SRC.glob("*/tasks.py")) if p.parent.name != "core"]
    for path in [*paths, SRC / "reporting" / "rollups.py"]:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ORM_WRITE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not found, "Escrituras fuera de services:\n" + "\n".join(found)
