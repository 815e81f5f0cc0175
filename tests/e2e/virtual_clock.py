"""`python tests/e2e/virtual_clock.py <manage.py command…>` or `--serve PORT`: Django on a
virtual clock that reads SGU_VIRTUAL_NOW at the real instant SGU_VIRTUAL_T0 and ticks from
there (tests/e2e/demo_site.py starts the demo server with it)."""

import os
import socketserver
import sys
import time
from datetime import datetime, timedelta

import time_machine


def serve(port: int) -> None:
    import django
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application

    django.setup()

    class Handler(WSGIRequestHandler):
        def log_message(self, format, *args):
            if len(args) > 1 and str(args[1]).startswith(("4", "5")):
                super().log_message(format, *args)

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True

    httpd = Server(("127.0.0.1", port), Handler)
    httpd.set_app(get_wsgi_application())
    httpd.serve_forever()


def main(argv: list[str]) -> None:
    now = datetime.fromisoformat(os.environ["SGU_VIRTUAL_NOW"]) + timedelta(
        seconds=time.time() - float(os.environ["SGU_VIRTUAL_T0"])
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgu.settings")
    with time_machine.travel(now, tick=True):
        if argv[:1] == ["--serve"]:
            serve(int(argv[1]))
        else:
            from django.core.management import execute_from_command_line

            execute_from_command_line(["manage.py", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
