"""A real HTTP server for webhook tests: verifies X-SGU-Signature and fails on purpose."""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "s3creto-de-pruebas-0123456789"  # the operator's webhook secret in these tests


@dataclass
class Received:
    headers: dict
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebhookServer:
    secret: str
    fail_first: int = 0
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def handler(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                expected = (
                    "sha256=" + hmac.new(outer.secret.encode(), body, hashlib.sha256).hexdigest()
                )
                ok = hmac.compare_digest(expected, self.headers.get("X-SGU-Signature", ""))
                outer.received.append(Received(dict(self.headers), body, ok))
                if not ok:
                    status, text = 401, b"firma no valida"
                elif len(outer.received) <= outer.fail_first:
                    status, text = 503, b"intente luego"
                else:
                    status, text = 200, b'{"ok":true}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        return Handler


def start(secret: str, fail_first: int = 0):
    server = WebhookServer(secret=secret, fail_first=fail_first)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), server.handler())
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}/sgu/eventos"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return server, httpd
