"""Upload articles from the admin: pasted text or files, with their metadata.

The form only gathers input; `upload_article` / `upload_articles` check and store it exactly
as for the API (same size and type limits, same metadata rules, same extraction queue).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied

from dossiers import commands, selectors
from dossiers.metadata import PUBLISHED_FORMATS, MetadataInvalid
from dossiers.models import Dossier, Role
from dossiers.uploads import UploadRejected


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ArticleUploadForm(forms.Form):
    dossier = forms.ModelChoiceField(queryset=Dossier.objects.none())
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "cols": 90}),
        required=False,
        help_text="Paste an article's text, or choose files below.",
    )
    files = MultipleFileField(
        required=False,
        help_text="One or many files: plain text, HTML, Markdown (each becomes an article).",
    )
    url = forms.URLField(label="URL", required=False, max_length=2000, assume_scheme="https")
    title = forms.CharField(required=False, max_length=500, help_text="Headline.")
    outlet = forms.CharField(
        required=False, max_length=200, help_text="The team's source of this name (added if new)."
    )
    author = forms.CharField(required=False, max_length=300)
    published = forms.CharField(
        label="Publication date", required=False, help_text=PUBLISHED_FORMATS
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["dossier"].queryset = selectors.dossiers_for(user).filter(
            team_id__in=selectors.team_ids_for(user, Role.ANALYST)
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if bool(data.get("text", "").strip()) == bool(data.get("files")):
            raise forms.ValidationError("Paste a text or choose files (not both).")
        if len(data.get("files") or []) > 1 and (data["title"] or data["url"]):
            raise forms.ValidationError(
                "A title or URL names one article: upload several files without them."
            )
        return data

    def metadata(self) -> dict:
        data = self.cleaned_data
        return {
            "url": data["url"],
            "title": data["title"],
            "author": data["author"],
            "outlet": data["outlet"],
            "published": data["published"] or None,
        }

    def upload(self) -> list[commands.UploadResult] | None:
        """Run the upload command; on refusal, the reason becomes a form error (None)."""
        data = self.cleaned_data
        try:
            if data["text"].strip():
                return [
                    commands.upload_article(
                        dossier=data["dossier"],
                        payload=data["text"],
                        content_type="text/plain",
                        actor=self.user,
                        **self.metadata(),
                    )
                ]
            uploads = [
                commands.ArticleUpload(
                    payload=file.read(),
                    filename=file.name,
                    content_type=file.content_type or "",
                    **self.metadata(),
                )
                for file in data["files"]
            ]
            return commands.upload_articles(
                dossier=data["dossier"], uploads=uploads, actor=self.user
            )
        except MetadataInvalid as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
        except commands.BatchRejected as exc:
            for index, problem in exc.problems.items():
                self.add_error("files", f"{data['files'][index].name}: {problem}")
        except (UploadRejected, PermissionDenied, ValueError) as exc:
            self.add_error(None, str(exc))
        return None
