"""Every page of every demo role's menu, on the living demo, on a phone (390×844) and a desktop
(1366×768): it answers 200, nothing makes the page scroll sideways, the console stays clean,
no internal code or English UI string shows, and axe-core finds no critical or serious
accessibility violation. One test per role × page × width, so a failure names all three."""

import re
from pathlib import Path

import pytest

from e2e.demo_site import ROLES

pytestmark = [pytest.mark.e2e, pytest.mark.sweep]

AXE = Path(__file__).resolve().parents[1] / "assets" / "axe.min.js"
WIDTHS = {"telefono": {"width": 390, "height": 844}, "escritorio": {"width": 1366, "height": 768}}

REGULATOR = [
    "/regulador/",
    "/regulador/bandeja/",
    "/regulador/devueltos/",
    "/regulador/registrar/",
    "/regulador/atencion/",
    "/regulador/conocimiento/",
    "/regulador/sugerencias/",
    "/cuenta/correcciones/",
    "/proveedor/",
    "/regulador/informacion-operadoras/",
    "/inoperatividad/regulador/",
    "/inoperatividad/contingencias/",
    "/bajas-migraciones/regulador/",
    "/cuenta/seguridad/",
]
SUPERVISOR = [
    *REGULATOR,
    "/regulador/estadisticas/",
    "/regulador/atencion/indicadores/",
    "/admin/",
]
OPERATOR = [
    "/operadora/bandeja/",
    "/operadora/reclamos/",
    "/inoperatividad/eventos/",
    "/bajas-migraciones/operadora/",
    "/cuenta/seguridad/",
]
PROVIDER = [
    "/proveedor/",
    "/proveedor/mis-capacitaciones/",
    "/proveedor/reportes/",
    "/cuenta/seguridad/",
]
# role -> the pages its header menu links to (test_menu_is_swept keeps this list honest).
PAGES = {
    "anonimo": [
        "/",
        "/casos/nuevo/",
        "/consulta/caso/",
        "/cuenta/ingresar/",
        "/cuenta/registro/",
        "/indicadores/",
        "/sugerencias/",
        "/bajas-migraciones/consulta/",
    ],
    "ciudadano": ["/casos/", "/casos/nuevo/", "/atencion/mis-encuestas/", "/cuenta/seguridad/"],
    "orientador": REGULATOR,
    "especialista": REGULATOR,
    "soporte": REGULATOR,
    "supervisor": SUPERVISOR,
    "editora": SUPERVISOR,
    "agente-claro": OPERATOR,
    "admin-claro": [
        *OPERATOR,
        "/operadora/informacion/",
        "/operadora/personal/",
        "/operadora/claves/",
        "/operadora/webhook/",
    ],
    **{role: PROVIDER for role in ROLES if role.startswith("prov-")},
}

# English that must not reach a person (Django or library defaults left untranslated).
ENGLISH = [
    "Task Results",
    "Tasks Database Backend",
    "TASKS DATABASE BACKEND",
    "This field is required",
    "Select a valid choice",
    "is not one of the available choices",
    "Enter a valid",
    "Submit",
    "Log out",
    "Log in",
    "Previous",
    "Next",
    "Search",
    "Save",
    "Delete",
    "None",
    "True",
    "False",
    "Welcome",
]


def _codes() -> set[str]:
    """The values of the app's choices that are codes, not words: ANSWERED, NOT_RESOLVED, WEB…
    (a value a person may read as it is — DNI, RUC — is its own label and is left out)."""
    from django.db.models import Choices

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    codes = set()
    for choices in subclasses(Choices):
        if not choices.__module__.startswith("sgu."):
            continue
        for member in choices:
            value, label = member.value, str(member.label)
            code = isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]{2,}", value)
            if code and value.lower() not in label.lower():
                codes.add(value)
    return codes


@pytest.fixture(scope="module")
def codes():
    return _codes()


CASES = [
    pytest.param(role, path, width, id=f"{role}:{path}:{width}")
    for role, paths in PAGES.items()
    for path in paths
    for width in WIDTHS
]


def _overflow(page) -> list[str]:
    """What makes the document wider than the viewport (nothing, when it does not scroll)."""
    return page.evaluate(
        """() => {
          const doc = document.documentElement, width = doc.clientWidth;
          if (doc.scrollWidth <= width) return [];
          const wide = [];
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 1 && r.width > 0) {
              const cls = typeof el.className === 'string' ? el.className.trim() : '';
              const id = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (cls ? '.' + cls.split(/\\s+/).join('.') : '');
              wide.push(`${id} (${Math.round(r.left)}–${Math.round(r.right)} px)`);
            }
          }
          return [`documento de ${doc.scrollWidth} px en ${width} px`, ...wide.slice(0, 8)];
        }"""
    )


def _visible_text(page) -> str:
    """The words a person sees, less technical values set as code (a file layout's codes)."""
    return page.evaluate(
        """() => {
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          const parts = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (!el || el.closest('code, kbd, samp, pre, script, style, template')) continue;
            if (!el.checkVisibility({visibilityProperty: true})) continue;
            parts.push(node.textContent);
          }
          return parts.join(' ');
        }"""
    )


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation["impact"] in ("critical", "serious"):
            targets = [", ".join(map(str, n["target"])) for n in violation["nodes"][:5]]
            found.append(
                f"{violation['impact']} {violation['id']}: {violation['help']} — {targets}"
            )
    return found


@pytest.mark.parametrize(("role", "path", "width"), CASES)
def test_page(open_as, demo, codes, role, path, width):
    page = open_as(role, WIDTHS[width])
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    response = page.goto(demo.url + path)
    page.wait_for_load_state("load")

    assert response is not None and response.status == 200, (response and response.status, page.url)
    assert _overflow(page) == []
    text = _visible_text(page)
    shown_codes = sorted({c for c in codes if re.search(rf"(?<![\w-]){c}(?![\w-])", text)})
    assert shown_codes == [], "códigos internos a la vista"
    english = [e for e in ENGLISH if re.search(rf"\b{re.escape(e)}\b", text)]
    assert english == [], "textos en inglés a la vista"
    assert _axe(page) == []
    assert errors == []


@pytest.mark.parametrize("role", [r for r in ROLES if ROLES[r]])
def test_menu_is_swept(open_as, demo, role):
    """The pages swept for a role are the pages its menu links to: a new menu entry must be
    added to PAGES (and so gets swept)."""
    page = open_as(role, WIDTHS["escritorio"])
    page.goto(demo.url + "/")
    page.wait_for_load_state("load")
    links = page.eval_on_selector_all(
        "nav[aria-label='Menú principal'] a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert sorted(set(links)) == sorted(set(PAGES[role]))


def test_the_checks_see_what_they_look_for(browser, codes):
    """Each check of the sweep fails on a page that has its problem (so a clean sweep means
    something): a 900 px box on a phone, an image without text, a code in plain sight."""
    ctx = browser.new_context(viewport=WIDTHS["telefono"], bypass_csp=True)
    page = ctx.new_page()
    page.set_content(
        '<html lang="es"><head><title>Prueba</title></head><body style="margin:0"><main>'
        '<div class="ancho" style="width:900px">Estado: ANSWERED</div>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "<p><code>NOT_RESOLVED</code></p></main></body></html>"
    )
    overflow = _overflow(page)
    assert overflow[0] == "documento de 900 px en 390 px" and "div.ancho (0–900 px)" in overflow
    text = _visible_text(page)
    assert "ANSWERED" in codes and "ANSWERED" in text and "NOT_RESOLVED" not in text
    assert any(v.startswith("critical image-alt") for v in _axe(page))
    ctx.close()
