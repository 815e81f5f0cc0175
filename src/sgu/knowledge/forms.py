"""Web forms of the knowledge base. They parse; the services validate."""

from django import forms

from sgu.core.forms import ParsedDateField, ServiceForm
from sgu.knowledge.services import ArticleInput


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Buscar en la base de conocimiento",
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "search",
                "enterkeyhint": "search",
                "placeholder": "p. ej. portabilidad, recarga, baja del servicio",
                "autocomplete": "off",
                "maxlength": 200,
            }
        ),
    )
    category = forms.ChoiceField(label="Categoría", required=False)

    def __init__(self, *args, categories: list[str], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Todas"), *[(c, c) for c in categories]]

    def query(self) -> tuple[str, str]:
        q = (self.data.get("q") or "").strip()[:200]
        category = (self.data.get("category") or "").strip()[:80]
        return q, category


class ArticleForm(ServiceForm):
    question = forms.CharField(
        label="Pregunta",
        help_text="Como la haría un usuario, p. ej. «¿Cuánto tarda la portabilidad móvil?»",
        widget=forms.TextInput(attrs={"maxlength": 300}),
        required=True,
    )
    answer = forms.CharField(
        label="Respuesta",
        help_text="Lo que el orientador debe decir o hacer. Cite plazos y requisitos.",
        widget=forms.Textarea(attrs={"rows": 10}),
        required=True,
    )
    category = forms.CharField(
        label="Categoría",
        widget=forms.TextInput(attrs={"maxlength": 80, "list": "kb-categories"}),
        required=True,
    )
    valid_from = ParsedDateField(label="Vigente desde", required=True)
    valid_to = ParsedDateField(
        label="Vigente hasta", help_text="Déjelo vacío si no tiene fecha de fin.", required=False
    )
    source_file = forms.FileField(
        label="Documento de sustento (archivo PDF, JPEG o PNG, hasta 10 MB)",
        help_text="En un cambio, si no adjunta otro, se mantiene el archivo de la versión "
        "anterior.",
        required=False,
    )
    source_reference = forms.CharField(
        label="Referencia del documento",
        help_text="P. ej. «Resolución N.° 099-2022-CD/OSIPTEL, artículo 12».",
        widget=forms.TextInput(attrs={"maxlength": 300}),
        required=False,
    )
    source_url = forms.CharField(
        label="Enlace del documento",
        widget=forms.URLInput(attrs={"maxlength": 500, "placeholder": "https://"}),
        required=False,
    )
    change_note = forms.CharField(
        label="Motivo del cambio",
        widget=forms.TextInput(attrs={"maxlength": 300}),
        required=False,
    )

    def article_input(self) -> ArticleInput:
        return ArticleInput(
            question=self.value("question"),
            answer=self.value("answer"),
            category=self.value("category"),
            valid_from=self.value("valid_from"),
            valid_to=self.value("valid_to"),
            source_url=self.value("source_url"),
            source_reference=self.value("source_reference"),
            change_note=self.value("change_note"),
        )

    def upload(self):
        return self.files.get("source_file") if self.is_bound else None


class ReviewForm(ServiceForm):
    note = forms.CharField(
        label="Observación",
        help_text="Obligatoria para rechazar.",
        widget=forms.TextInput(attrs={"maxlength": 300}),
        required=False,
    )


class MatrixEntryForm(ServiceForm):
    typification = forms.CharField(
        label="Tipificación", required=True, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    cause = forms.CharField(
        label="Causa que la originó",
        required=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
    )
    solution = forms.CharField(
        label="Solución",
        required=True,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
    )
