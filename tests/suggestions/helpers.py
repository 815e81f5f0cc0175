"""Suggestions test data: areas of the regulator (attention.Area) and staff in them."""

from factories import make_regulator
from sgu.accounts.auth import principal_for_user
from sgu.attention.models import Area, AreaMember
from sgu.suggestions import services
from sgu.suggestions.models import SuggestionTopic

TEXT = "Sería útil que el formulario permita adjuntar el recibo desde el celular."


def area(code: str, name: str, level: int = 2) -> Area:
    return Area.objects.create(code=code, name=name, level=level)


def member(of: Area, role: str = "REGULATOR_AGENT"):
    user = make_regulator(role)
    AreaMember.objects.create(area=of, user=user)
    return user


def map_topic(code: str, to: Area | None) -> None:
    SuggestionTopic.objects.filter(code=code).update(area=to)


def submit(email: str = "vecina@example.pe", text: str = TEXT, topic: str = "", **kw):
    return services.submit_suggestion(
        data=services.SuggestionInput(email=email, text=text, topic=topic, name=kw.pop("name", "")),
        **kw,
    )


def route(user, suggestion, area_code: str, **kw):
    return services.route_suggestion(
        suggestion=suggestion, area_code=area_code, by=principal_for_user(user), **kw
    )


def answer(user, suggestion, text: str = "Gracias: lo implementaremos este año.", **kw):
    return services.answer_suggestion(
        suggestion=suggestion, answer=text, by=principal_for_user(user), **kw
    )


def action(user, suggestion, note: str, **kw):
    return services.record_action(
        suggestion=suggestion, note=note, by=principal_for_user(user), **kw
    )
