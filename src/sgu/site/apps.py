from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top floor: commands and wiring that touch many apps (load_demo, serve).

    Nothing below imports it; see docs/architecture.md.
    """

    verbose_name = "Sitio (demostración, procesos)"
    name = "sgu.site"
    label = "sgu_site"
