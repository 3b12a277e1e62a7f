from django import forms
from django.conf import settings


class ExchangeFileForm(forms.Form):
    file = forms.FileField(label="File")

    def __init__(self, *args, suffixes: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suffixes = suffixes
        self.fields["file"].widget.attrs["accept"] = ",".join(suffixes)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(self.suffixes):
            raise forms.ValidationError(
                f"{upload.name} is not a {' or '.join(self.suffixes)} file."
            )
        limit = settings.FG_REFI_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is larger than the {limit // (1 << 20)} MB limit."
            )
        return upload


class ProjectImportForm(ExchangeFileForm):
    name = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the name in the file."
    )
