"""What a refused request must leave: the same rows as before."""

from sgu.accounts.models import User
from sgu.cases.models import Attachment, Case, CaseEvent
from sgu.core.models import IdempotencyRecord
from sgu.notifications.models import OutboundEmail

COUNTED = {
    "Case": Case,
    "CaseEvent": CaseEvent,
    "Attachment": Attachment,
    "User": User,
    "OutboundEmail": OutboundEmail,
    "IdempotencyRecord": IdempotencyRecord,
}


def row_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in COUNTED.items()}


class NothingWritten:
    """`with NothingWritten(): ...` fails if any counted table changed inside the block."""

    def __enter__(self):
        self.before = row_counts()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            after = row_counts()
            assert after == self.before, f"se escribieron filas: {self.before} → {after}"
        return False
