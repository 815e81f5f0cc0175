from ninja import Schema


class ProblemFieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details, in Spanish."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemFieldError] = []
