from ninja import Router, Schema
from pydantic import Field

from sgu.catalog import selectors
from sgu.catalog.models import Service

router = Router(tags=["Catálogo"])


class OperatorOut(Schema):
    code: str = Field(examples=["CLARO"])
    name: str


class DeadlineOut(Schema):
    amount: int
    unit: str = Field(examples=["BUSINESS_DAYS"])


class FieldOut(Schema):
    name: str
    label: str
    type: str = Field(description="TEXT, NUMBER, MONEY, DATE o CHOICE")
    required: bool
    choices: list[str]
    help_text: str = ""


class SubcategoryOut(Schema):
    code: str
    category: str
    name: str
    service: str
    deadline: DeadlineOut
    claimable: bool
    claim_deadline_days: int | None
    suspends_payments: bool = Field(
        description="La materia implica suspensión de pagos: el reclamo no se genera en el SGU."
    )
    claim_elsewhere: str = Field(description="Dónde presentar el reclamo en su lugar.")
    fields: list[FieldOut]


def subcategory_dict(s) -> dict:
    return {
        "code": s.code,
        "category": s.category.name,
        "name": s.name,
        "service": s.category.service.code,
        "deadline": {"amount": s.deadline_amount, "unit": s.deadline_unit},
        "claimable": s.claimable,
        "claim_deadline_days": s.claim_deadline_days,
        "suspends_payments": s.suspends_payments,
        "claim_elsewhere": s.claim_elsewhere,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "choices": [str(c) for c in f.choices or []],
                "help_text": f.help_text,
            }
            for f in s.fields.all()
        ],
    }


@router.get("/operators", response=list[OperatorOut], summary="Operadoras")
def operators(request):
    return [{"code": o.code, "name": o.name} for o in selectors.active_operators()]


@router.get(
    "/subcategories",
    response=list[SubcategoryOut],
    summary="Subcategorías de problemas con su plazo",
)
def subcategories(request, service: Service.Code | None = None):
    return [subcategory_dict(s) for s in selectors.active_subcategories(service)]
