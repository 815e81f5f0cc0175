"""Every write about people and credentials.

One module per group of verbs; everything is re-exported here, so callers keep writing
`from sgu.accounts.services import …`."""

from sgu.accounts.services.credentials import (  # noqa: F401
    LAST_USED_EVERY,
    create_operator_key,
    issue_api_token,
    record_credential_use,
    revoke_api_token,
    revoke_operator_key,
    revoke_operator_key_of,
)
from sgu.accounts.services.login import (  # noqa: F401
    _fail_keys,
    check_login_allowed,
    login_failed,
    login_succeeded,
)
from sgu.accounts.services.password_reset import (  # noqa: F401
    INVALID_RESET_LINK,
    RESET_EMAILS_PER_HOUR,
    _reset_link,
    password_reset_user,
    request_password_reset,
    reset_password,
)
from sgu.accounts.services.people import (  # noqa: F401
    ASSISTED_CHANNELS,
    CONSENT_TEXT,
    _clean_person,
    confirm_email,
    create_staff_user,
    find_or_create_citizen_for_assisted,
    register_citizen,
    resend_confirmation,
    send_confirmation_email,
    token_hash,
)
from sgu.accounts.services.personal_data import (  # noqa: F401
    handle_correction,
    record_personal_data_download,
    request_correction,
)
from sgu.accounts.services.two_factor import (  # noqa: F401
    RECOVERY_ALPHABET,
    RECOVERY_CODE_COUNT,
    SECOND_FACTOR_ROLES,
    WRONG_CODE,
    _new_recovery_codes,
    _normalise_recovery,
    _recovery_hash,
    _use_recovery_code,
    _use_totp,
    confirm_two_factor,
    confirmed_device,
    disable_two_factor,
    end_sessions,
    enrol_known_secret,
    regenerate_recovery_codes,
    remaining_recovery_codes,
    reset_two_factor,
    second_factor_failed,
    second_factor_required,
    start_two_factor_setup,
    verify_second_factor,
)
