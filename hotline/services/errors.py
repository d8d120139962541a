"""A refused work order or step: field errors in Chinese and English."""

from django.core.exceptions import ValidationError


class OrderError(ValidationError):
    """Field errors, each as (Chinese, English). As a ValidationError its messages are the Chinese ones
    (pages, the XLSX import's row errors); the API answers both (`bilingual`)."""

    def __init__(self, errors: dict[str, list[tuple[str, str]]]):
        self.bilingual = {
            field: [{"zh": zh, "en": en} for zh, en in messages] for field, messages in errors.items()
        }
        super().__init__({field: [zh for zh, _en in messages] for field, messages in errors.items()})

    @classmethod
    def one(cls, field, zh, en):
        return cls({field: [(zh, en)]})
