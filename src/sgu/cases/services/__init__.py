"""Every write on cases. One function per use case, one transaction each: the state change,
its timeline event and the notifications it causes commit together or not at all."""

from sgu.cases.services._common import (  # noqa: F401
    MAX_DESCRIPTION,
    PROVISIONAL_MARK,
    SYSTEM,
    compute_deadline,
    next_case_code,
    record_event,
)
from sgu.cases.services.answers import SolutionInput, acknowledge_case, rate_case, record_solution  # noqa: F401
from sgu.cases.services.assisted import (  # noqa: F401
    ASSISTED_CHANNELS,
    CitizenInput,
    email_receipt,
    register_assisted_case,
)
from sgu.cases.services.claims import (  # noqa: F401
    assign_claim_code,
    claim_refusal,
    claim_resolution_days,
    request_claim,
)
from sgu.cases.services.contingency import (  # noqa: F401
    CONTINGENCY_EXTENSION,
    AppliedExtension,
    DueExtension,
    RunningPlazo,
    extend_plazos_for_contingency,
)
from sgu.cases.services.deadlines import close_unrated_cases, expire_overdue_cases  # noqa: F401
from sgu.cases.services.registration import (  # noqa: F401
    ATTACHABLE_STATES,
    CaseInput,
    add_attachments,
    confirm_email,
    forward_waiting_cases,
    register_case,
)
from sgu.cases.services.review import confirm_return, reassign_case, return_case  # noqa: F401
from sgu.cases.services.tray_views import delete_tray_view, save_tray_view  # noqa: F401
