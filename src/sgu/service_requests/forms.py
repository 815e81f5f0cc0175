"""Web forms of bajas y migraciones. They parse; the services validate (the web shows the
API's messages)."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from sgu.catalog import selectors as catalog
from sgu.core.calendar import LIMA
from sgu.core.forms import ParsedDateField, ServiceForm
from sgu.core.web import parse_date
from sgu.service_requests.models import Channel, Service
from sgu.service_requests.selectors import Filters


class UploadForm(ServiceForm):
    file = forms.FileField(
        label="Archivo del reporte",
        help_text="CSV en UTF-8 (separado por comas o por punto y coma) o Excel .xlsx de una "
        "sola hoja, con la primera fila de nombres de columna. Formato: ver «Formato del "
        "archivo» abajo.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet"
            }
        ),
        required=True,
    )
    report_date = ParsedDateField(
        label="Día que reporta",
        help_text="Las solicitudes recibidas ese día y los cambios de estado de ese día.",
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            yesterday = timezone.localtime(timezone.now(), LIMA).date() - timedelta(days=1)
            self.initial.setdefault("report_date", yesterday.isoformat())

    def upload(self):
        return self.files.get("file") if self.is_bound else None


class LookupForm(ServiceForm):
    request_code = forms.CharField(
        label="Código de pedido",
        help_text="El código que la operadora le dio al registrar su baja o migración.",
        widget=forms.TextInput(
            attrs={"maxlength": 40, "autocapitalize": "characters", "autocomplete": "off"}
        ),
        required=True,
    )
    document_number = forms.CharField(
        label="Número de documento del titular",
        help_text="DNI, carné de extranjería, RUC o pasaporte.",
        widget=forms.TextInput(attrs={"maxlength": 15, "autocomplete": "off"}),
        required=True,
    )


class FilterForm(forms.Form):
    """The regulator's filters, from the query string. A bad value only drops itself."""

    operador = forms.ChoiceField(label="Operadora", required=False)
    servicio = forms.ChoiceField(
        label="Servicio", choices=[("", "Todos"), *Service.choices], required=False
    )
    canal = forms.ChoiceField(
        label="Canal", choices=[("", "Todos"), *Channel.choices], required=False
    )
    desde = forms.CharField(
        label="Desde", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    hasta = forms.CharField(
        label="Hasta", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    atrasados = forms.ChoiceField(
        label="Días",
        choices=[("", "Todos"), ("si", "Solo los reportados tarde o no reportados")],
        required=False,
    )

    def __init__(self, *args, days: bool = False, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["operador"].choices = [
            ("", "Todas"),
            *((o.code, o.name) for o in catalog.active_operators()),
        ]
        if days:
            del self.fields["servicio"]
            del self.fields["canal"]
            self.fields["desde"].label = "Día desde"
            self.fields["hasta"].label = "Día hasta"
        else:
            del self.fields["atrasados"]
            self.fields["desde"].label = "Solicitadas desde"
            self.fields["hasta"].label = "Solicitadas hasta"

    def filters(self) -> Filters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            operator=data.get("operador") or "",
            service=data.get("servicio") or "",
            channel=data.get("canal") or "",
            date_from=parse_date(data.get("desde") or ""),
            date_to=parse_date(data.get("hasta") or ""),
            only_late=data.get("atrasados") == "si",
        )
