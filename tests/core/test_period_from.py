"""The «desde»/«hasta» period of the statistics pages (reporting and attention)."""

from datetime import date

from django.test import RequestFactory

from sgu.core.web import period_from

DEFAULT = date(2026, 1, 1)


def period(**query):
    return period_from(RequestFactory().get("/", query), default_from=DEFAULT)


def test_given_dates_are_kept():
    assert period(desde="2026-03-01", hasta="2026-03-31") == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        [],
    )


def test_bad_dates_are_named_and_replaced_by_the_defaults():
    start, end, errors = period(desde="1/3/2026", hasta="mañana")
    assert start == DEFAULT and end >= DEFAULT
    assert errors == [
        "La fecha «desde» debe ser AAAA-MM-DD.",
        "La fecha «hasta» debe ser AAAA-MM-DD.",
    ]


def test_reversed_dates_are_swapped_and_said():
    assert period(desde="2026-03-31", hasta="2026-03-01") == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        ["La fecha «hasta» es anterior a «desde»; se muestran al revés."],
    )
