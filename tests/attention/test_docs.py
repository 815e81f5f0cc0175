"""docs/attention.md states every indicator exactly as the page does."""

from pathlib import Path

from sgu.attention.indicators import INDICATORS

DOC = Path(__file__).resolve().parents[2] / "docs" / "attention.md"


def test_every_indicator_definition_is_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    for i in INDICATORS:
        assert f"| `{i.key}` | {i.name} | {i.unit} | {i.version} | {i.definition} |" in text, i.key
