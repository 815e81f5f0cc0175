"""The regulator tray's filter selects rendered by Django's Select (one template per option)
and by QuickSelect (the same HTML written in Python): CPU ms per page, same form, same choices.

Usage: `.venv/bin/python bench/widgets.py [--database-url URL] [--repeat 300]` (any database
with the catalog: `sgu_bench10m` by default). See docs/benchmarks.md, "Bandeja a 10 millones".
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tray  # the same Django set-up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=tray.DEFAULT_DB)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    tray.django_setup(args.database_url)

    from django import forms

    from sgu.cases.forms import TrayFilterForm
    from sgu.core.widgets import QuickSelect

    def form(django_select: bool) -> TrayFilterForm:
        f = TrayFilterForm({"operator": "CLARO"})
        if django_select:
            for field in f.fields.values():
                if isinstance(field.widget, QuickSelect):
                    plain = forms.Select(choices=field.widget.choices)
                    plain.attrs = field.widget.attrs
                    field.widget = plain
        return f

    for label, django_select in (("Select de Django", True), ("QuickSelect", False)):
        f = form(django_select)
        names = [n for n, fl in f.fields.items() if isinstance(fl.widget, forms.Select)]
        options = sum(len(list(f[n].subwidgets)) for n in names)
        html = "".join(str(f[n]) for n in names)  # warm the template cache
        start = time.process_time()
        for _ in range(args.repeat):
            html = "".join(str(f[n]) for n in names)
        ms = 1000 * (time.process_time() - start) / args.repeat
        print(f"{label}: {len(names)} selects, {options} opciones, {ms:.2f} ms de CPU por página "
              f"({len(html)} caracteres)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
