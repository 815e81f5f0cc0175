"""`make screens`: the main pages of each demo role, on a phone (390×844) and a desktop
(1366×768), as PNG files in docs/screens/ (what the browser window shows, not the whole page;
reduced to 256 colours when Pillow is installed). The same demo server and sign-in as the
browser sweep (tests/e2e/demo_site.py, tests/e2e/sweep/conftest.py), on the suite's default
instant, so the pictures only change when the pages do."""

import argparse
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1] / "src")]

from e2e import demo_site  # noqa: E402
from e2e.demo_site import ROLES  # noqa: E402

OUT = HERE.parents[1] / "docs" / "screens"
SIZES = {"telefono": {"width": 390, "height": 844}, "escritorio": {"width": 1366, "height": 768}}
# (file name, role, path, what it shows): the README's «Pantallas» table follows this order.
SCREENS = [
    ("inicio", "anonimo", "/", "Inicio público"),
    ("ciudadano-casos", "ciudadano", "/casos/", "Ciudadano: sus casos"),
    ("ciudadano-reportar", "ciudadano", "/casos/nuevo/", "Ciudadano: reportar un problema"),
    ("orientador-seguimiento", "orientador", "/regulador/", "Orientador: seguimiento"),
    ("orientador-bandeja", "orientador", "/regulador/bandeja/", "Orientador: bandeja de casos"),
    ("orientador-atencion", "orientador", "/regulador/atencion/", "1.er nivel: atención"),
    ("especialista-cola", "especialista", "/regulador/atencion/", "2.º nivel: cola del área"),
    ("supervisor-estadisticas", "supervisor", "/regulador/estadisticas/", "Estadísticas"),
    (
        "supervisor-indicadores",
        "supervisor",
        "/regulador/atencion/indicadores/",
        "Indicadores de atención",
    ),
    ("agente-bandeja", "agente-claro", "/operadora/bandeja/", "Operadora: bandeja"),
    ("agente-reclamos", "agente-claro", "/operadora/reclamos/", "Operadora: reclamos"),
    ("admin-personal", "admin-claro", "/operadora/personal/", "Operadora: personal"),
    ("proveedor-requerimientos", "prov-experiencia", "/proveedor/", "Proveedor: requerimientos"),
    (
        "asesor-capacitaciones",
        "prov-asesor",
        "/proveedor/mis-capacitaciones/",
        "Proveedor: capacitaciones del asesor",
    ),
]
DEFAULT_NOW = "2026-11-25T10:00:00"  # tests/conftest.py DEFAULT_NOW (a plain Wednesday)


def _shrink(path: Path) -> None:
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgu.settings")
    import django

    django.setup()
    from sgu.core.calendar import LIMA

    start = datetime.fromisoformat(DEFAULT_NOW).replace(tzinfo=LIMA)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        site_gen = demo_site.start(Path(folder), start, [])
        site = next(site_gen)
        try:
            capture(site, args.out)
        finally:
            next(site_gen, None)


def capture(site: "demo_site.DemoSite", out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        states: dict[str, dict] = {}
        for name, role, path, _title in SCREENS:
            account = ROLES[role]
            if account and role not in states:
                ctx = browser.new_context(locale="es-PE")
                demo_site.log_in(ctx.new_page(), site, *account)
                states[role] = ctx.storage_state()
                ctx.close()
            for label, size in SIZES.items():
                ctx = browser.new_context(
                    viewport=size, locale="es-PE", storage_state=states.get(role)
                )
                page = ctx.new_page()
                page.goto(site.url + path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{label}.png"
                page.screenshot(path=str(target))
                _shrink(target)
                print(target, flush=True)
                ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
