"""Every write of the regulator's attention levels: consultas, escalations up and answers
down, telling the citizen, and the survey of the regulator's own service. One function per
use case, one transaction each; every step is an `AttentionEvent` (never updated, never
deleted) and every email is queued in the same transaction."""

from sgu.attention.services._common import (
    DEFAULT_CRITICALITY_DAYS,
    DEFAULT_SOLUTION_DAYS,
    MAX_TEXT,
    criticality_days,
    escalation_deadline,
    query_deadline,
    solution_days,
    validation_deadline,
)
from sgu.attention.services.escalations import (
    MAX_EXTENSION_DAYS,
    answer_escalation,
    close_sent_back,
    escalate,
    escalate_up,
    extend_escalation,
    inform_citizen,
    send_back,
    take_escalation,
)
from sgu.attention.services.pauses import pause_solution, resume_solution
from sgu.attention.services.queries import (
    answer_query,
    next_query_code,
    register_query,
    review_query,
)
from sgu.attention.services.surveys import (
    answer_survey,
    offer_survey,
    register_assisted_case,
    survey_for_token,
)
from sgu.attention.services.tickets import escalation_expectation, query_expectation

__all__ = [
    "DEFAULT_CRITICALITY_DAYS",
    "DEFAULT_SOLUTION_DAYS",
    "MAX_EXTENSION_DAYS",
    "MAX_TEXT",
    "answer_escalation",
    "answer_query",
    "answer_survey",
    "close_sent_back",
    "criticality_days",
    "escalate",
    "escalate_up",
    "escalation_deadline",
    "escalation_expectation",
    "extend_escalation",
    "inform_citizen",
    "next_query_code",
    "offer_survey",
    "pause_solution",
    "query_deadline",
    "query_expectation",
    "register_assisted_case",
    "register_query",
    "resume_solution",
    "review_query",
    "send_back",
    "solution_days",
    "survey_for_token",
    "take_escalation",
    "validation_deadline",
]
