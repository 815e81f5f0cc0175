"""deploy/alerts.yml holds Prometheus rules that can fire: it parses, every rule is complete,
every metric its expressions read is one /metrics really exposes (scraped here), and each
alert has its section in the runbook (docs/operations.md). promtool is not needed."""

import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from ops.helpers import ROOT

ALERTS = ROOT / "deploy" / "alerts.yml"
OPERATIONS = ROOT / "docs" / "operations.md"
# Series Prometheus writes itself for every target.
PROMETHEUS_OWN = {"up"}
_KEYWORDS = {
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "inf",
    "nan",
}


def rules() -> list[dict]:
    document = yaml.safe_load(ALERTS.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression reads (not functions, keywords or labels)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges and subqueries
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\s*(\()?", expr):
        name, call = match.groups()
        if call or name.lower() in _KEYWORDS:
            continue
        names.add(name)
    return names


def test_the_expression_reader_finds_metrics_and_skips_the_rest():
    expr = (
        'histogram_quantile(0.95, sum by (le) (rate(a_bucket{route!="x y"}[5m]))) > 2 '
        "and max without (instance) (b offset 1d) > 1.5 * c and time() - d > 36 * 3600"
    )
    assert metric_names(expr) == {"a_bucket", "b", "c", "d"}


def test_every_rule_is_complete_and_named_once():
    found = rules()
    assert len(found) >= 15
    names = [r["alert"] for r in found]
    assert len(names) == len(set(names)), names
    for rule in found:
        assert rule["expr"].strip(), rule
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule
        assert rule["annotations"]["summary"], rule
        assert rule["annotations"]["runbook"] == f"docs/operations.md#{rule['alert'].lower()}"
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"]), rule


@pytest.mark.django_db
def test_every_metric_an_alert_reads_is_one_the_platform_exposes(client, citizen):
    client.get("/healthz")  # one request counted
    response = client.get("/metrics")  # loopback, outside production
    assert response.status_code == 200
    exposed = {
        sample.name
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }
    assert "sgu_http_requests_total" in exposed
    for rule in rules():
        unknown = metric_names(rule["expr"]) - exposed - PROMETHEUS_OWN
        assert not unknown, (rule["alert"], unknown)


def test_every_alert_has_its_section_in_the_runbook():
    headings = set(re.findall(r"^### (\w+)$", OPERATIONS.read_text(), flags=re.MULTILINE))
    missing = {r["alert"] for r in rules()} - headings
    assert not missing, missing


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool no está instalado")
def test_promtool_accepts_the_rules():
    result = subprocess.run(
        ["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
