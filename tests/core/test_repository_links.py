"""The repository stands on its own: no tracked file sends the reader outside it — no link to a
sibling folder of the clone, no relative path that climbs above the repository's root, no
absolute path of the machine it was written on — and a document's relative links lead to
files that exist."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()

# Absolute paths of a workstation or a shared folder next to the clone.
ABSOLUTE = re.compile(r"(?<![\w.:/-])(?:/work/|/home/\w|file://)")
SIBLING = re.compile(r"\.\./shared\b")
# A relative path that starts by climbing: ../x, ../../x/y.md …
CLIMB = re.compile(r"(?<![\w./-])((?:\.\./)+[\w.-]+(?:/[\w.-]+)*)")
# Markdown: [text](target) and <… src="target"> / href="target".
MD_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|(?:src|href)=\"([^\"]+)\"")
# A document named in capitals (`DOMAIN.md`, «see API.md»): the repository must hold it, in any
# folder and any case (DOMAIN.md is docs/domain.md, API.md is docs/api.md).
DOCUMENT_NAME = re.compile(r"\b([A-Z][A-Z0-9_-]*\.md)\b")


def tracked_text_files() -> dict[str, str]:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no es un repositorio git (p. ej. un paquete instalado)")
    files = {}
    for name in out.decode().split("\0"):
        path = ROOT / name
        if not name or name == THIS or not path.is_file():
            continue
        try:
            files[name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: images, fonts, spreadsheets
    assert "README.md" in files
    return files


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return tracked_text_files()


def escapes(name: str, target: str) -> bool:
    resolved = (ROOT / name).parent.joinpath(target).resolve()
    return not resolved.is_relative_to(ROOT)


def where(name: str, text: str, start: int) -> str:
    return f"{name}:{text.count(chr(10), 0, start) + 1}"


def test_no_absolute_path_of_a_machine_nor_a_sibling_folder(files):
    found = [
        f"{where(name, text, m.start())}: {m.group(0)}"
        for name, text in files.items()
        for pattern in (ABSOLUTE, SIBLING)
        for m in pattern.finditer(text)
    ]
    assert not found, "rutas fuera del repositorio:\n" + "\n".join(found)


def test_no_relative_path_climbs_out_of_the_repository(files):
    found = [
        f"{where(name, text, m.start())}: {m.group(1)}"
        for name, text in files.items()
        for m in CLIMB.finditer(text)
        if escapes(name, m.group(1))
    ]
    assert not found, "rutas relativas que salen del repositorio:\n" + "\n".join(found)


def test_a_documents_relative_links_lead_to_files_of_the_repository(files):
    broken = []
    for name, text in files.items():
        if not name.endswith(".md"):
            continue
        for m in MD_LINK.finditer(text):
            target = (m.group(1) or m.group(2)).split("#", 1)[0]
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
                continue  # an anchor, a URL (https:, mailto:) or a path of the served site
            if escapes(name, target) or not (ROOT / name).parent.joinpath(target).exists():
                broken.append(f"{where(name, text, m.start())}: {target}")
        # A path in backticks that climbs (`../x`) must name a file of the repository.
        for m in CLIMB.finditer(text):
            target = m.group(1)
            if not (ROOT / name).parent.joinpath(target).exists():
                broken.append(f"{where(name, text, m.start())}: {target}")
    assert not broken, "enlaces que no llevan a un archivo del repositorio:\n" + "\n".join(broken)


def test_no_file_names_a_document_that_is_not_in_the_repository(files):
    held = {Path(name).name.lower() for name in files}
    found = [
        f"{where(name, text, m.start())}: {m.group(1)}"
        for name, text in files.items()
        for m in DOCUMENT_NAME.finditer(text)
        if m.group(1).lower() not in held
    ]
    assert not found, "documentos que el repositorio no tiene:\n" + "\n".join(found)
