"""`deploy/cluster.sh check`: the loopback cluster working as a platform, through haproxy.

1. The API's core flow: a citizen registers, confirms by the link of the email the SMTP sink
   received, creates a case (with an attachment: the S3 store), the operator answers with its
   API key, the citizen rates and claims, the operator assigns the claim code (the email with
   the code arrives).
2. Statistics read from the replica: /readyz shows its lag, the public indicators' queries
   appear in the replica's statement log, the case is there.
3. A steady stream of requests (reads and case registrations) while one web process is
   drained, stopped and started again (`cluster.sh restart-web 1`): zero failed requests.
4. A summary.

Only the standard library and boto3 (a dependency of the platform): run with the .venv's python.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import mailbox
import os
import random
import re
import shlex
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LIMA = ZoneInfo("America/Lima")
PASSWORD = "Balanceo.Sereno.2026"
# A one-page PDF: the attachment's content is checked, not its name.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Failed(Exception):
    pass


class Client:
    def __init__(self, base: str, cafile: str):
        self.base = base
        self.context = ssl.create_default_context(cafile=cafile)

    def call(self, method, path, body=None, token=None, headers=None, raw=None, content_type=None):
        """(status, parsed JSON or bytes, response headers); never raises on an HTTP status."""
        data = raw
        heads = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            data = json.dumps(body).encode()
            heads["Content-Type"] = "application/json"
        if content_type:
            heads["Content-Type"] = content_type
        if token:
            heads["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=heads)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                status, payload, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            status, payload, got = exc.code, exc.read(), exc.headers
        kind = got.get("Content-Type", "")
        if "json" in kind:
            return status, json.loads(payload or b"null"), got
        return status, payload, got

    def expect(self, status, method, path, **kwargs):
        got, payload, _headers = self.call(method, path, **kwargs)
        if got != status:
            raise Failed(f"{method} {path}: {got} (esperaba {status}): {str(payload)[:400]}")
        return payload


def multipart(field: str, name: str, content: bytes, kind: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def mails_to(maildir: Path, address: str) -> list[email.message.EmailMessage]:
    box = mailbox.Maildir(str(maildir), factory=None, create=True)
    found = []
    for key in box.iterkeys():
        message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        if address in str(message.get("To", "")):
            found.append(message)
    return found


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def wait_mail(maildir, address, predicate, what, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in mails_to(maildir, address):
            if predicate(message):
                return message
        time.sleep(0.5)
    raise Failed(f"no llegó el correo «{what}» a {address} en {seconds} s")


def psql(args, port: int, sql: str, user: str = "sgu") -> str:
    cmd = [args.psql, "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", "sgu", "-XAtqc", sql]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()


def step(message: str) -> None:
    print(f"  · {message}", flush=True)


def core_flow(api: Client, args, summary: dict) -> dict:
    stamp = datetime.now(LIMA)
    address = f"ciudadano.{stamp:%H%M%S}.{random.randint(1000, 9999)}@cluster.sgu.pe"
    document = str(random.randint(10_000_000, 99_999_999))
    account = api.expect(
        201,
        "POST",
        "/api/v1/accounts",
        body={
            "document_type": "DNI",
            "document_number": document,
            "first_name": "Carla",
            "last_name": "Quispe Flores",
            "email": address,
            "phone": "987654321",
            "password": PASSWORD,
            "consent": True,
        },
    )
    step(f"ciudadano registrado: {account['email']} (email_verified={account['email_verified']})")

    maildir = Path(args.state) / "mail"
    confirm = wait_mail(
        maildir, address, lambda m: "/cuenta/confirmar/" in text_of(m), "confirme su correo"
    )
    link = re.search(r"https?://\S+/cuenta/confirmar/([A-Za-z0-9_\-]+)/", text_of(confirm))
    if not link or not link.group(0).startswith(args.base):
        raise Failed(f"el correo de confirmación no trae un enlace a {args.base}")
    step(f"correo recibido por el SMTP de prueba: «{confirm['Subject']}», enlace {link.group(0)}")
    # The link opens the confirmation page through the balancer; its button posts the token.
    api.expect(200, "GET", link.group(0)[len(args.base) :], headers={"Accept": "text/html"})
    verified = api.expect(
        200, "POST", "/api/v1/accounts/verify-email", body={"token": link.group(1)}
    )
    step(f"correo confirmado por el enlace: email_verified={verified['email_verified']}")
    token = api.expect(
        200, "POST", "/api/v1/auth/token", body={"email": address, "password": PASSWORD}
    )["token"]

    # «¿Dónde recargó?» takes one of the recharge channels CLARO published, or «otro».
    channels = api.expect(
        200, "GET", "/api/v1/public/operators/CLARO/information/RECHARGE_CHANNELS"
    )["items"]
    where = (
        {"medio_recarga": channels[0]}
        if channels
        else {"medio_recarga": "otro", "medio_recarga__otro": "Bodega del barrio"}
    )
    case_body = {
        "operator": "CLARO",
        "subcategory": "recarga-no-acreditada",
        "service_number": "987654321",
        "description": "Recargué 10 soles en una bodega y el saldo no llegó (clúster).",
        "fields": {"monto_recarga": "10", "fecha_recarga": stamp.date().isoformat(), **where},
    }
    case = api.expect(
        201,
        "POST",
        "/api/v1/cases",
        token=token,
        headers={"Idempotency-Key": f"cluster-{uuid.uuid4()}"},
        body=case_body,
    )
    code = case["code"]
    step(f"caso {code} creado: {case['state']}, vence {case['due_at']}")
    raw, kind = multipart("file", "boleta.pdf", PDF, "application/pdf")
    attachment = api.expect(
        201, "POST", f"/api/v1/cases/{code}/attachments", token=token, raw=raw, content_type=kind
    )
    step(f"adjunto {attachment['name']} ({attachment['size']} bytes) guardado")

    key = Path(args.operator_key_file).read_text().strip()
    tray = api.expect(200, "GET", f"/api/v1/operator/cases?state={case['state']}", token=key)
    if code not in [item["code"] for item in tray["items"]]:
        raise Failed(f"{code} no está en la bandeja de CLARO")
    api.expect(200, "POST", f"/api/v1/operator/cases/{code}/ack", token=key)
    answered = api.expect(
        200,
        "POST",
        f"/api/v1/operator/cases/{code}/solution",
        token=key,
        body={
            "outcome": "NOT_RESOLVED",
            "detail": "No encontramos la recarga en nuestros registros.",
            "actions": "Revisión del registro de recargas del día.",
            "executed_at": stamp.date().isoformat(),
            "responsible": "Mesa de ayuda de recargas",
        },
    )
    step(f"CLARO respondió con su clave de API: {answered['state']}")
    rated = api.expect(
        200,
        "POST",
        f"/api/v1/cases/{code}/rating",
        token=token,
        body={"resolved": False, "score": 2, "comment": "La recarga sigue sin llegar."},
    )
    step(f"el ciudadano calificó: {rated['state']} (score {rated['rating']['score']})")
    claim = api.expect(
        201,
        "POST",
        f"/api/v1/cases/{code}/claim",
        token=token,
        headers={"Idempotency-Key": f"cluster-{uuid.uuid4()}"},
        body={
            "reason": "La operadora no acreditó la recarga.",
            "request": "Que acrediten los 10 soles.",
        },
    )
    step(f"reclamo {claim['id']}: {claim['state']}, código antes de {claim['code_due_at']}")
    claim_code = f"CLARO-RC-{stamp:%y%m%d%H%M%S}-{random.randint(100, 999)}"
    coded = api.expect(
        200,
        "POST",
        f"/api/v1/operator/claims/{claim['id']}/code",
        token=key,
        body={"claim_code": claim_code},
    )
    step(f"CLARO asignó el código de reclamo {coded['claim_code']}: {coded['state']}")
    final = api.expect(200, "GET", f"/api/v1/cases/{code}", token=token)
    coded_mail = wait_mail(
        maildir, address, lambda m: claim_code in text_of(m), "código de reclamo"
    )
    attached = [p.get_filename() for p in coded_mail.iter_attachments()]
    step(f"correo del código recibido: «{coded_mail['Subject']}», adjuntos {attached}")
    timeline = [event["kind"] for event in final["timeline"]]
    step(f"línea de tiempo: {' → '.join(timeline)}")
    summary.update(
        citizen=address,
        case=code,
        case_state=final["state"],
        claim_code=final["claim"]["claim_code"],
        emails_to_citizen=len(mails_to(maildir, address)),
        timeline=timeline,
    )
    return {"token": token, "code": code, "key": key, "case_body": case_body}


def s3_objects(summary: dict) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"], region_name="us-east-1")
    listing = s3.list_objects_v2(Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"])
    keys = [o["Key"] for o in listing.get("Contents", [])]
    step(f"objetos en el bucket {os.environ['AWS_STORAGE_BUCKET_NAME']} (moto): {len(keys)}")
    if not keys:
        raise Failed("el adjunto no llegó al almacén S3")
    summary["s3_objects"] = len(keys)


def replica_reads(api: Client, args, flow: dict, summary: dict) -> None:
    ready = api.expect(200, "GET", "/readyz")
    replica = ready["replica"]
    step(f"/readyz: réplica {replica}")
    if not (replica.get("configured") and replica.get("used")):
        raise Failed(f"la réplica no está en uso: {replica}")
    streaming = psql(  # its columns are for superusers only
        args,
        args.primary_port,
        "SELECT client_addr || ' ' || state || ' ' || sync_state FROM pg_stat_replication",
        user="postgres",
    )
    recovery = psql(args, args.replica_port, "SELECT pg_is_in_recovery()")
    step(f"primario: pg_stat_replication = {streaming!r}; réplica: pg_is_in_recovery = {recovery}")
    # The case is on the replica (streamed), and the statistics' queries run there.
    deadline = time.monotonic() + 30
    while (
        psql(
            args,
            args.replica_port,
            f"SELECT count(*) FROM cases_case WHERE code = '{flow['code']}'",
        )
        != "1"
    ):
        if time.monotonic() > deadline:
            raise Failed("el caso no llegó a la réplica en 30 s")
        time.sleep(0.5)
    log = Path(args.replica_log)
    before = log.stat().st_size
    period = datetime.now(LIMA).strftime("%Y-%m")
    indicators = api.expect(200, "GET", f"/api/v1/public/indicators?period={period}")
    claro = next(o for o in indicators["operators"] if o["operator"] == "CLARO")
    step(
        f"indicadores públicos de {period} (CLARO): casos {claro['cases']}, "
        f"respondidos {claro['answered']}, reclamos {claro['claims_pct']} %"
    )
    time.sleep(0.5)  # the log is written by the replica's backend, not by us
    with log.open("rb") as handle:
        handle.seek(before)
        new = handle.read().decode(errors="replace")
    statements = [
        line for line in new.splitlines() if "statement:" in line and "cases_case" in line
    ]
    if not statements:
        raise Failed("ninguna consulta de las estadísticas llegó a la réplica")
    step(f"consultas de los indicadores en el registro de la réplica: {len(statements)}, p. ej.")
    print("      " + statements[0][:220], flush=True)
    primary_count = psql(args, args.primary_port, "SELECT count(*) FROM cases_case")
    summary.update(
        replica_lag_seconds=replica.get("lag_seconds"),
        replica_statements=len(statements),
        replica_streaming=streaming,
        indicators_cases_claro=claro["cases"],
        cases_on_primary=int(primary_count),
    )


def load_with_restart(api: Client, args, flow: dict, summary: dict) -> None:
    """Requests without pause from 3 clients; one web process restarted in the middle."""
    stop = threading.Event()
    phase = {"now": "antes del"}
    results: Counter = Counter()
    servers: Counter = Counter()
    failures: list[str] = []
    created: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            if i % 10 == 0:
                method, path = "POST", "/api/v1/cases"
                body = {
                    **flow["case_body"],
                    "description": f"La recarga no llegó (carga del clúster, {n}-{i}).",
                }
                expected = 201
            elif i % 3 == 0:
                method, path, body, expected = "GET", "/api/v1/catalog/operators", None, 200
            else:
                method, path, body, expected = "GET", f"/api/v1/cases/{flow['code']}", None, 200
            headers = {"Idempotency-Key": f"carga-{uuid.uuid4()}"} if method == "POST" else None
            try:
                status, payload, got = api.call(
                    method, path, body=body, token=flow["token"], headers=headers
                )
            except Exception as exc:  # a reset or refused connection is a failed request too
                status, payload, got = f"{type(exc).__name__}", str(exc), {}
            with lock:
                results[(phase["now"], status == expected)] += 1
                servers[(phase["now"], got.get("X-SGU-Server", "?"))] += 1
                if status != expected:
                    failures.append(f"{method} {path} → {status} {str(payload)[:200]}")
                elif method == "POST":
                    created.append(payload["code"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    phase["now"] = "durante el"
    started = time.monotonic()
    restart = subprocess.run(shlex.split(args.restart), capture_output=True, text=True)
    restart_seconds = time.monotonic() - started
    for line in (restart.stdout + restart.stderr).splitlines():
        print(f"      {line}", flush=True)
    phase["now"] = "después del"
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join()
    if restart.returncode != 0:
        raise Failed(f"el reinicio de web1 falló ({restart.returncode})")

    total = sum(results.values())
    failed = sum(n for (_, ok), n in results.items() if not ok)
    for when in ("antes del", "durante el", "después del"):
        served = {s: n for (p, s), n in sorted(servers.items()) if p == when}
        ok = results[(when, True)]
        bad = results[(when, False)]
        step(f"{when} reinicio: {ok} bien, {bad} fallidas; atendidas por {served}")
    # Every case registered under load exists (no write lost in the restart).
    missing = [
        c for c in created if api.call("GET", f"/api/v1/cases/{c}", token=flow["token"])[0] != 200
    ]
    step(f"casos registrados bajo carga: {len(created)}, sin encontrar después: {len(missing)}")
    summary.update(
        load_requests=total,
        load_failed=failed,
        load_cases_created=len(created),
        restart_seconds=round(restart_seconds, 1),
        served_during_restart={s: n for (p, s), n in servers.items() if p == "durante el"},
    )
    if failures:
        for line in failures[:10]:
            print(f"      FALLA: {line}", flush=True)
    if failed or missing:
        raise Failed(
            f"{failed} solicitudes fallidas y {len(missing)} casos perdidos en el reinicio"
        )
    if results[("durante el", True)] == 0:
        raise Failed("ninguna solicitud durante el reinicio: la prueba no probó nada")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--operator-key-file", required=True)
    parser.add_argument("--replica-log", required=True)
    parser.add_argument("--psql", required=True)
    parser.add_argument("--primary-port", type=int, required=True)
    parser.add_argument("--replica-port", type=int, required=True)
    parser.add_argument("--restart", required=True, help="the command that restarts web1")
    args = parser.parse_args()
    api = Client(args.base, args.cafile)
    summary: dict = {"balancer": args.base}
    began = time.monotonic()
    try:
        print("1. Flujo principal de la API por el balanceador", flush=True)
        flow = core_flow(api, args, summary)
        s3_objects(summary)
        print("2. Estadísticas leídas de la réplica", flush=True)
        replica_reads(api, args, flow, summary)
        print("3. Reinicio de web1 bajo carga", flush=True)
        load_with_restart(api, args, flow, summary)
    except Failed as exc:
        print(f"\nFALLÓ: {exc}", flush=True)
        return 1
    summary["seconds"] = round(time.monotonic() - began, 1)
    print("\nResumen (todo bien):", flush=True)
    for key, value in summary.items():
        print(f"  {key}: {value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
