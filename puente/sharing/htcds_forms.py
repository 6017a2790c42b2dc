"""The HTCDS pages' forms: they read fields; the rules are in puente.sharing.htcds.domain."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from puente.sharing.htcds.reading import MAX_FILE_BYTES
from puente.sharing.models.htcds import FileFormat


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=FileFormat.choices,
        initial=FileFormat.XLSX,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of the column labels"),
        choices=settings.LANGUAGES,
        initial="en",
        help_text=_(
            "Field names and value names are always the standard's; the label row can be "
            "in Spanish for readers in Mexico."
        ),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("HTCDS file (XLSX, CSV or JSON)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled per request: a lazy text formatted at import would stay in English.
        self.fields["file"].help_text = _("At most %(mb)d MB and 50,000 rows.") % {
            "mb": MAX_FILE_BYTES // (1024 * 1024)
        }


class UndoForm(forms.Form):
    include_changed = forms.BooleanField(
        label=_("Also remove the cases worked on since the import"), required=False
    )
