"""A real SMTP server's mailbox, the task worker run to the end, and links that must resolve."""

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from unittest import mock
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command


@dataclass
class Mailbox:
    """Messages the platform really sent over SMTP, parsed."""

    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, subject_contains: str = "", timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.to(address):
                if subject_contains in str(m["Subject"]):
                    return m
            time.sleep(0.05)
        raise AssertionError(f"no llegó correo a {address} con asunto «{subject_contains}»")

    @staticmethod
    def text(msg) -> str:
        part = msg.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_tasks() -> None:
    """Run every queued background task (emails…) with the real worker, then return.

    The worker calls close_old_connections(), which closes a connection whose autocommit is
    off — as it is inside a test's transaction. SQLite's in-memory test database ignores
    that; PostgreSQL's connection would really close. Inside a test it must stay open.
    """
    with (
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
        mock.patch("sgu.core.worker.close_old_connections"),
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


_LINK = re.compile(r"https?://[^\s<>\"'«»]+")


def assert_links_resolve(text: str, base: str | None = None) -> list[str]:
    """Every http(s) link of this site in the text resolves to a view (no 404); returns them."""

    from django.urls import Resolver404, resolve

    site = urlsplit(base or settings.SITE_URL)
    found = []
    for url in _LINK.findall(text):
        url = url.rstrip(".,;:)")
        parts = urlsplit(url)
        if parts.netloc != site.netloc:
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            raise AssertionError(f"{url} leads to no page (404)") from None
        # The admin's catch-all answers any path under /admin/ (with a 404 or a redirect).
        assert match.url_name or match.namespace != "admin", f"{url} leads to no page"
        found.append(url)
    return found
