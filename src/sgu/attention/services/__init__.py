"""Every write of the regulator's attention levels: consultas, escalations up and answers
down, telling the citizen, and the survey of the regulator's own service. One function per
use case, one transaction each; every step is an `AttentionEvent` (never updated, never
deleted) and every email is queued in the same transaction."""

from sgu.attention.services._common import (  # noqa: F401
    DEFAULT_CRITICALITY_DAYS,
    DEFAULT_SOLUTION_DAYS,
    MAX_TEXT,
    criticality_days,
    escalation_deadline,
    query_deadline,
    solution_days,
    validation_deadline,
)
from sgu.attention.services.escalations import (  # noqa: F401
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
from sgu.attention.services.queries import (  # noqa: F401
    answer_query,
    next_query_code,
    register_query,
    review_query,
)
from sgu.attention.services.surveys import (  # noqa: F401
    answer_survey,
    offer_survey,
    register_assisted_case,
    survey_for_token,
)
from sgu.attention.services.tickets import escalation_expectation, query_expectation  # noqa: F401
