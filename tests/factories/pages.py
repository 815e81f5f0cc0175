"""Reading a rendered page as a person would, and what every page keeps."""

import re


def text(response) -> str:
    """The page's visible text, whitespace collapsed (for 'the user reads X' checks)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    import html as html_lib

    return " ".join(html_lib.unescape(html).split())


def error_of(response, field_id: str) -> str:
    """The error message shown next to the field with this id ('' if none)."""
    html = response.content.decode()
    m = re.search(rf'<span class="error" id="{re.escape(field_id)}_error">(.*?)</span>', html, re.S)
    if not m:
        return ""
    import html as html_lib

    return html_lib.unescape(m.group(1)).strip()


INLINE_SCRIPT = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', re.I)


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def check_page_rules(path: str, html: str) -> None:
    """What every page keeps: no inline script, handler or style (strict CSP), Spanish with a
    skip link and local assets, a label for every field."""
    assert not INLINE_SCRIPT.search(html), path
    assert not INLINE_HANDLER.search(html), path
    assert not INLINE_STYLE.search(html), path
    if "<html" in html:  # not a fragment
        assert '<html lang="es">' in html, path
        assert 'href="#contenido"' in html and 'id="contenido"' in html, path
        assert re.search(r'<script src="/static/sgu/htmx\.min\.js"', html), path
        for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html):
            assert src.startswith("/static/"), (path, src)
    ids = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit)"', tag):
            continue
        match = re.search(r'\bid="([^"]+)"', tag)
        assert match and match.group(1) in ids, (path, tag)
