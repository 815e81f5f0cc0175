"""Public indicators and open data, without an account, on a small data set computed by hand
(the expected numbers are written here, not recomputed by the code under test).

March 2026, Lima; no holiday in March; 2 and 3 April are Holy Thursday and Good Friday.
"Recarga no acreditada" has a plazo of 1 business day: a case received Monday 2 March is due
Tuesday 3 March. Registered Monday 2 March 10:00 unless said otherwise.

  CLARO (2 000 000 lines)
    a1 answered Tue 3 10:00 -> 1 business day, on time; rated resolved, 4
    a2 answered Mon 2 15:00 -> 0 business days, on time; rated NOT resolved, 1; then a reclamo
    a3 answered Thu 5 10:00 -> 3 business days (3, 4, 5), late; never rated
    a4 never answered
    a5 registered Tue 31 March 23:30 (1 April in UTC: still March in Lima); received Wed 1
       April, due Mon 6 April (2 and 3 April are holidays, 4 and 5 a weekend)
    x  registered Sat 28 February 23:50 (1 March in UTC: February in Lima) -> not in March
  MOVISTAR (500 000 lines)
    m1 answered Wed 4 10:00 -> 2 business days, late; rated resolved, 5
    m2 registered at the Arequipa office (PRESENCIAL); answered Tue 3 09:00 -> 1, on time
  ENTEL (lines unknown: 0 in the catalog)
    e1 never answered
  BITEL: no case

  CLARO:    5 cases, 3 answered, 2 on time = 66.7 %, (1+0+3)/3 = 1.33 days, 1 resolved of 3
            answered = 33.3 %, 2 rated, (4+1)/2 = 2.5, 1 claim of 5 cases = 20.0 %,
            5 / 2 000 000 × 100 000 = 0.25
  MOVISTAR: 2 cases, 2 answered, 1 on time = 50.0 %, (2+1)/2 = 1.5 days, 1 of 2 = 50.0 %,
            1 rated, 5.0, 0 claims = 0.0 %, 2 / 500 000 × 100 000 = 0.4
  ENTEL:    1 case, nothing answered: the rates are null, 0 claims = 0.0 %, lines unknown
  BITEL:    0 cases: rates null, 0.0 cases per 100 000 lines
"""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from factories import (
    NothingWritten,
    field_errors,
    lima,
    make_citizen,
    problem_of,
    rate,
    solution_input,
)
from sgu.cases import services
from sgu.cases.models import Case
from sgu.cases.workflow import Actor
from sgu.catalog.models import Office, Operator
from sgu.core.principal import Principal
from sgu.reporting import public

pytestmark = pytest.mark.django_db

API = "/api/v1/public/indicators"
CSV_URL = "/api/v1/public/open-data/cases.csv"
PAGE = "/indicadores/"

NAME, SURNAME = "Zoraida", "Quispe Huamán"
LINE = "912345678"
DESCRIPTION = "Texto libre confidencial: recargué en la bodega de mi vecina Rosa."
DETAIL = "Detalle reservado de la solución número siete."
COMMENT = "Comentario privado sobre la atención recibida."
REASON = "Motivo reservado del reclamo: la operadora nunca devolvió el saldo."
FIELDS = {"monto_recarga": "10", "fecha_recarga": "2026-02-27", "medio_recarga": "Bodega o agente"}


def _register(person, at, operator, **kw):
    data = services.CaseInput(
        operator=operator,
        subcategory="recarga-no-acreditada",
        service_number=LINE,
        description=DESCRIPTION,
        fields=FIELDS,
    )
    return services.register_case(
        citizen=person,
        data=data,
        by=Principal(actor_role=Actor.CITIZEN, user=person),
        now=at,
        **kw,
    )


def _answer(case, at):
    return services.record_solution(
        case=case,
        data=solution_input(executed_at=at.date(), detail=DETAIL),
        by=Principal(actor_role=Actor.OPERATOR, operator=case.operator),
        now=at,
    )


@pytest.fixture
def march(catalog):
    Operator.objects.filter(code="CLARO").update(mobile_lines=2_000_000)
    Operator.objects.filter(code="MOVISTAR").update(mobile_lines=500_000)
    Operator.objects.filter(code="ENTEL").update(mobile_lines=0)
    arequipa = Office.objects.create(
        code="AQP",
        name="Oficina Arequipa",
        ubigeo="040101",
        department="Arequipa",
        province="Arequipa",
        district="Arequipa",
        latitude="-16.398800",
        longitude="-71.536900",
    )
    person = make_citizen(first_name=NAME, last_name=SURNAME, document_number="41234567")
    reg = lima(2026, 3, 2, 10)
    a1, a2, a3, a4 = (_register(person, reg, "CLARO") for _ in range(4))
    a5 = _register(person, lima(2026, 3, 31, 23, 30), "CLARO")
    x = _register(person, lima(2026, 2, 28, 23, 50), "CLARO")
    m1 = _register(person, reg, "MOVISTAR")
    m2 = _register(person, reg, "MOVISTAR", channel="PRESENCIAL", office=arequipa)
    e1 = _register(person, reg, "ENTEL")
    _answer(a1, lima(2026, 3, 3, 10))
    _answer(a2, lima(2026, 3, 2, 15))
    _answer(a3, lima(2026, 3, 5, 10))
    _answer(m1, lima(2026, 3, 4, 10))
    _answer(m2, lima(2026, 3, 3, 9))
    rate(a1, resolved=True, score=4, now=lima(2026, 3, 4, 9))
    rate(a2, resolved=False, score=1, now=lima(2026, 3, 2, 16))
    rate(m1, resolved=True, score=5, now=lima(2026, 3, 5, 9))
    services.request_claim(
        case=a2,
        reason=REASON,
        by=Principal(actor_role=Actor.CITIZEN, user=person),
        now=lima(2026, 3, 2, 17),
    )
    return {
        "person": person,
        "cases": [a1, a2, a3, a4, a5, x, m1, m2, e1],
    }


# --- indicators ---------------------------------------------------------------------------------


def test_indicators_per_operator_of_a_closed_month(march, anon_api):
    response = anon_api.get(f"{API}?period=2026-03")

    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["date_from"], body["date_to"]) == (
        "2026-03",
        "2026-03-01",
        "2026-03-31",
    )
    assert body["closed"] is True
    assert body["open_data_url"] == "/api/v1/public/open-data/cases.csv?period=2026-03"
    assert body["operators"] == [
        {
            "operator": "BITEL",
            "operator_name": "Bitel (Viettel Perú)",
            "cases": 0,
            "answered": 0,
            "answered_on_time_pct": None,
            "avg_response_business_days": None,
            "resolved_pct": None,
            "rated": 0,
            "satisfaction_avg": None,
            "claims_pct": None,
            "cases_per_100k_lines": 0.0,
        },
        {
            "operator": "CLARO",
            "operator_name": "Claro (América Móvil Perú)",
            "cases": 5,
            "answered": 3,
            "answered_on_time_pct": 66.7,
            "avg_response_business_days": 1.33,
            "resolved_pct": 33.3,  # the unrated a3 is not resolved
            "rated": 2,
            "satisfaction_avg": 2.5,
            "claims_pct": 20.0,
            "cases_per_100k_lines": 0.25,
        },
        {
            "operator": "ENTEL",
            "operator_name": "Entel Perú",
            "cases": 1,
            "answered": 0,
            "answered_on_time_pct": None,
            "avg_response_business_days": None,
            "resolved_pct": None,
            "rated": 0,
            "satisfaction_avg": None,
            "claims_pct": 0.0,
            "cases_per_100k_lines": None,
        },
        {
            "operator": "MOVISTAR",
            "operator_name": "Movistar (Telefónica del Perú)",
            "cases": 2,
            "answered": 2,
            "answered_on_time_pct": 50.0,
            "avg_response_business_days": 1.5,
            "resolved_pct": 50.0,
            "rated": 1,
            "satisfaction_avg": 5.0,
            "claims_pct": 0.0,
            "cases_per_100k_lines": 0.4,
        },
    ]


def test_every_figure_comes_with_its_definition_and_version(march, anon_api):
    body = anon_api.get(f"{API}?period=2026-03").json()

    keys = [i["key"] for i in body["indicators"]]
    assert keys == [
        "cases",
        "answered",
        "answered_on_time_pct",
        "avg_response_business_days",
        "resolved_pct",
        "rated",
        "satisfaction_avg",
        "claims_pct",
        "cases_per_100k_lines",
    ]
    resolved = body["indicators"][4]
    assert resolved["version"] == "1.0"
    assert "Un caso sin calificación nunca cuenta como resuelto" in resolved["definition"]


def test_an_inactive_operator_is_listed_only_in_months_it_had_cases(march, anon_api):
    Operator.objects.filter(code__in=["ENTEL", "BITEL"]).update(active=False)

    listed = [r["operator"] for r in anon_api.get(f"{API}?period=2026-03").json()["operators"]]

    assert listed == ["CLARO", "ENTEL", "MOVISTAR"]


def test_february_holds_only_the_case_registered_on_its_last_night_in_lima(march, anon_api):
    rows = {r["operator"]: r for r in anon_api.get(f"{API}?period=2026-02").json()["operators"]}

    assert rows["CLARO"]["cases"] == 1
    assert rows["MOVISTAR"]["cases"] == 0


def test_the_current_month_is_provisional_and_no_period_means_the_last_closed_one(
    catalog, anon_api
):
    now = public.current_period()

    current = anon_api.get(f"{API}?period={now.key}").json()
    default = anon_api.get(API).json()

    assert current["closed"] is False and current["period"] == now.key
    assert default["closed"] is True and default["period"] == now.previous.key


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-3", "El periodo debe tener el formato AAAA-MM (por ejemplo, 2026-10)."),
        ("marzo", "El periodo debe tener el formato AAAA-MM (por ejemplo, 2026-10)."),
        ("2026-13", "El mes del periodo debe estar entre 01 y 12."),
        ("2026-00", "El mes del periodo debe estar entre 01 y 12."),
        ("1999-12", "No hay indicadores antes de enero de 2000."),
    ],
)
def test_a_bad_period_is_a_spanish_422(catalog, anon_api, period, message):
    for url in (f"{API}?period={period}", f"{CSV_URL}?period={period}"):
        problem = problem_of(anon_api.get(url), 422)
        assert field_errors(problem) == {"period": message}


def test_a_future_month_is_refused_naming_the_current_one(catalog, anon_api):
    now = public.current_period()

    problem = problem_of(anon_api.get(f"{API}?period={now.next.key}"), 422)

    assert problem["detail"] == (
        f"El periodo {now.next.key} aún no empieza: elija el mes en curso ({now.key}) o uno "
        "anterior."
    )


def test_parse_period_around_new_year():
    new_year = datetime(2027, 1, 1, 4, 59, tzinfo=UTC)  # still 31 Dec 2026 in Lima
    assert public.parse_period("2026-12", now=new_year) == public.Period(2026, 12)
    assert public.parse_period("", now=new_year) == public.Period(2026, 11)
    with pytest.raises(Exception, match="aún no empieza"):
        public.parse_period("2027-01", now=new_year)
    assert public.Period(2026, 12).next == public.Period(2027, 1)
    assert public.Period(2027, 1).previous == public.Period(2026, 12)


# --- open data -----------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(raw[1:])))


def test_open_data_has_one_row_per_case_of_the_month(march, anon_api):
    response = anon_api.get(f"{CSV_URL}?period=2026-03")
    assert 'filename="sgu-casos-2026-03.csv"' in response["Content-Disposition"]
    rows = _csv(response)

    assert len(rows) == 8
    ids = [r.pop("id_caso") for r in rows]
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids) and len(set(ids)) == 8
    common = {
        "periodo": "2026-03",
        "servicio": "MOVIL",
        "categoria": "recargas",
        "categoria_nombre": "Recargas",
        "subcategoria": "recarga-no-acreditada",
        "subcategoria_nombre": "Recarga no acreditada / saldo descontado",
    }
    web = {"canal": "WEB", "ubigeo_departamento": "", "departamento": ""}
    unanswered = {
        "fecha_respuesta": "",
        "respondido_a_tiempo": "",
        "dias_habiles_respuesta": "",
    }
    unrated = {"calificado": "NO", "resuelto": "", "satisfaccion": ""}

    def row(operator, state, registered, due, **rest):
        return (
            common
            | {
                "operadora": operator,
                "estado": state,
                "fecha_registro": registered,
                "fecha_plazo": due,
                "reclamo": "NO",
            }
            | rest
        )

    expected = [
        row(
            "CLARO",
            "RATED",
            "2026-03-02",
            "2026-03-03",
            **web,
            fecha_respuesta="2026-03-03",
            respondido_a_tiempo="SI",
            dias_habiles_respuesta="1",
            calificado="SI",
            resuelto="SI",
            satisfaccion="4",
        ),
        row(
            "CLARO",
            "CLAIM_REQUESTED",
            "2026-03-02",
            "2026-03-03",
            **web,
            fecha_respuesta="2026-03-02",
            respondido_a_tiempo="SI",
            dias_habiles_respuesta="0",
            calificado="SI",
            resuelto="NO",
            satisfaccion="1",
            reclamo="SI",
        ),
        row(
            "CLARO",
            "ANSWERED",
            "2026-03-02",
            "2026-03-03",
            **web,
            fecha_respuesta="2026-03-05",
            respondido_a_tiempo="NO",
            dias_habiles_respuesta="3",
            **unrated,
        ),
        row("CLARO", "FORWARDED", "2026-03-02", "2026-03-03", **web, **unanswered, **unrated),
        row("CLARO", "FORWARDED", "2026-03-31", "2026-04-06", **web, **unanswered, **unrated),
        row(
            "MOVISTAR",
            "RATED",
            "2026-03-02",
            "2026-03-03",
            **web,
            fecha_respuesta="2026-03-04",
            respondido_a_tiempo="NO",
            dias_habiles_respuesta="2",
            calificado="SI",
            resuelto="SI",
            satisfaccion="5",
        ),
        row(
            "MOVISTAR",
            "ANSWERED",
            "2026-03-02",
            "2026-03-03",
            canal="PRESENCIAL",
            ubigeo_departamento="04",
            departamento="Arequipa",
            fecha_respuesta="2026-03-03",
            respondido_a_tiempo="SI",
            dias_habiles_respuesta="1",
            **unrated,
        ),
        row("ENTEL", "FORWARDED", "2026-03-02", "2026-03-03", **web, **unanswered, **unrated),
    ]
    key = lambda r: sorted(r.items())  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)
    assert list(rows[0]) == [c for c, _ in public.OPEN_DATA_COLUMNS if c != "id_caso"]


def test_open_data_carries_no_personal_data(march, anon_api):
    response = anon_api.get(f"{CSV_URL}?period=2026-03")
    raw = b"".join(response.streaming_content).decode("utf-8")

    person = march["person"]
    for secret in (
        NAME,
        "Quispe",
        person.document_number,
        person.email,
        LINE,
        "987654321",  # the citizen's phone
        DESCRIPTION[:20],
        DETAIL[:20],
        COMMENT[:20],
        REASON[:20],
        "Oficina Arequipa",
        "SGU-",  # no case code
    ):
        assert secret not in raw, secret
    for case in march["cases"]:
        assert case.code not in raw


def test_open_data_ids_are_stable_and_rows_do_not_follow_registration_order(march, anon_api):
    first = [r["id_caso"] for r in _csv(anon_api.get(f"{CSV_URL}?period=2026-03"))]
    again = [r["id_caso"] for r in _csv(anon_api.get(f"{CSV_URL}?period=2026-03"))]

    assert first == again
    # Inside a day, rows are ordered by their anonymous id, not by code or registration.
    assert first[:7] == sorted(first[:7])


def test_open_data_download_is_rate_limited_per_ip(march, anon_api, settings):
    settings.SGU = {
        **settings.SGU,
        "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "open_data": (2, 60)},
    }
    for _ in range(2):
        assert anon_api.get(f"{CSV_URL}?period=2026-03").status_code == 200

    refused = anon_api.get(f"{CSV_URL}?period=2026-03")

    problem = problem_of(refused, 429)
    assert problem["title"] == "Demasiadas solicitudes"
    assert int(refused["Retry-After"]) > 0
    assert anon_api.get(f"{CSV_URL}?period=2026-03", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_public_indicators_are_rate_limited_like_every_public_endpoint(catalog, anon_api, settings):
    settings.SGU = {
        **settings.SGU,
        "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "public": (2, 60)},
    }
    for _ in range(2):
        assert anon_api.get(f"{API}?period=2026-03").status_code == 200

    problem = problem_of(anon_api.get(f"{API}?period=2026-03"), 429)

    assert problem["detail"].startswith("Demasiadas solicitudes")


def test_reading_public_figures_writes_nothing_but_the_rate_counter(march, anon_api):
    with NothingWritten():
        anon_api.get(f"{API}?period=2026-03")
        b"".join(anon_api.get(f"{CSV_URL}?period=2026-03").streaming_content)
    assert Case.objects.count() == 9


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_each_operator_with_every_definition_and_the_download(march):
    response = Client().get(f"{PAGE}?periodo=2026-03")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Marzo de 2026" in html
    for name in ("Claro (América Móvil Perú)", "Movistar (Telefónica del Perú)", "Entel Perú"):
        assert name in html
    claro = html.split('id="op-CLARO"')[1].split("</section>")[0]
    assert "66,7 %" in claro and "1,33" in claro and "20,0 %" in claro and "0,25" in claro
    assert "Un caso sin calificación nunca cuenta como resuelto" in claro
    assert "(versión 1.0)" in claro
    assert 'href="/api/v1/public/open-data/cases.csv?period=2026-03"' in html
    assert 'type="month"' in html and 'name="periodo"' in html
    assert "?periodo=2026-02" in html and "?periodo=2026-04" in html
    assert "<code>id_caso</code>" in html  # the data dictionary


def test_the_page_marks_the_current_month_as_provisional(catalog):
    now = public.current_period()

    html = Client().get(f"{PAGE}?periodo={now.key}").content.decode()

    assert "Mes en curso" in html and f"?periodo={now.next.key}" not in html


def test_the_page_names_a_bad_period(catalog):
    response = Client().get(f"{PAGE}?periodo=2026-13")

    assert response.status_code == 422
    assert "El mes del periodo debe estar entre 01 y 12." in response.content.decode()


def test_visitors_reach_the_page_from_the_home_page_and_the_footer(catalog):
    html = Client().get("/").content.decode()
    assert html.count('href="/indicadores/"') == 2


# --- the kept file ------------------------------------------------------------------------------


def test_the_file_written_by_one_download_serves_the_next_ones_for_an_hour(
    march, anon_api, settings
):
    first = _csv(anon_api.get(f"{CSV_URL}?period=2026-03"))
    _register(march["person"], lima(2026, 3, 20, 10), "BITEL")  # a ninth March case

    kept = _csv(anon_api.get(f"{CSV_URL}?period=2026-03"))
    settings.SGU = {**settings.SGU, "OPEN_DATA_MAX_AGE": 0}
    fresh = _csv(anon_api.get(f"{CSV_URL}?period=2026-03"))

    assert kept == first and len(kept) == 8
    assert len(fresh) == 9 and [r["operadora"] for r in fresh].count("BITEL") == 1
    # The indicators are always live.
    rows = {r["operator"]: r for r in anon_api.get(f"{API}?period=2026-03").json()["operators"]}
    assert rows["BITEL"]["cases"] == 1


def test_a_download_cut_halfway_leaves_no_file_behind(march, settings):
    stream = public.open_data_stream(public.Period(2026, 3))
    next(stream)  # the header
    stream.close()

    folder = public.open_data_path(public.Period(2026, 3)).parent
    assert list(folder.iterdir()) == []
    assert public.fresh_open_data(public.Period(2026, 3)) is None


@pytest.mark.parametrize("with_rollups", [False, True])
def test_two_offices_of_one_department_are_two_rows_of_the_office_breakdown(march, with_rollups):
    from sgu.reporting import rollups, selectors

    camana = Office.objects.create(
        code="CMN",
        name="Oficina Camaná",
        ubigeo="040201",
        department="Arequipa",
        province="Camaná",
        district="Camaná",
        latitude="-16.623600",
        longitude="-72.711400",
    )
    for _ in range(2):
        _register(
            march["person"], lima(2026, 3, 9, 11), "BITEL", channel="PRESENCIAL", office=camana
        )
    if with_rollups:
        rollups.refresh(full=True, now=lima(2026, 4, 2, 9))
    rows = selectors.breakdown(selectors.month_filters("2026-03"), "oficina", lima(2026, 4, 2, 9))
    assert [(r["key"], r["label"], r["cases"]) for r in rows] == [
        ("", "Sin oficina (web y app)", 7),  # a1–a5, m1, e1 (x is February)
        ("CMN", "Arequipa · Oficina Camaná", 2),
        ("AQP", "Arequipa · Oficina Arequipa", 1),
    ]
