"""Every write on cases. One function per use case, one transaction each: the state change,
its timeline event and the notifications it causes commit together or not at all."""

from sgu.cases.services._common import (
    MAX_DESCRIPTION,
    PROVISIONAL_MARK,
    SYSTEM,
    compute_deadline,
    next_case_code,
    record_event,
)
from sgu.cases.services.answers import SolutionInput, acknowledge_case, rate_case, record_solution
from sgu.cases.services.assisted import (
    ASSISTED_CHANNELS,
    CitizenInput,
    email_receipt,
    register_assisted_case,
)
from sgu.cases.services.claims import (  # _claim_amount: demo_history's archive reads it
    _claim_amount,  # noqa: F401
    assign_claim_code,
    claim_refusal,
    claim_resolution_days,
    request_claim,
)
from sgu.cases.services.contingency import (
    CONTINGENCY_EXTENSION,
    AppliedExtension,
    DueExtension,
    RunningPlazo,
    extend_plazos_for_contingency,
)
from sgu.cases.services.deadlines import close_unrated_cases, expire_overdue_cases
from sgu.cases.services.registration import (
    ATTACHABLE_STATES,
    CaseInput,
    add_attachments,
    confirm_email,
    forward_waiting_cases,
    register_case,
)
from sgu.cases.services.review import confirm_return, reassign_case, return_case
from sgu.cases.services.tray_views import delete_tray_view, save_tray_view

__all__ = [
    "ASSISTED_CHANNELS",
    "ATTACHABLE_STATES",
    "CONTINGENCY_EXTENSION",
    "MAX_DESCRIPTION",
    "PROVISIONAL_MARK",
    "SYSTEM",
    "AppliedExtension",
    "CaseInput",
    "CitizenInput",
    "DueExtension",
    "RunningPlazo",
    "SolutionInput",
    "acknowledge_case",
    "add_attachments",
    "assign_claim_code",
    "claim_refusal",
    "claim_resolution_days",
    "close_unrated_cases",
    "compute_deadline",
    "confirm_email",
    "confirm_return",
    "delete_tray_view",
    "email_receipt",
    "expire_overdue_cases",
    "extend_plazos_for_contingency",
    "forward_waiting_cases",
    "next_case_code",
    "rate_case",
    "reassign_case",
    "record_event",
    "record_solution",
    "register_assisted_case",
    "register_case",
    "request_claim",
    "return_case",
    "save_tray_view",
]
