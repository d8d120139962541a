"""Language selection: Simplified Chinese unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so a phone set to English would get
Django's own strings (labels, dates, admin) in English around our Chinese pages. Staff work in Chinese;
English is there for whoever picks it with the language switch (the `django_language` cookie set by
Django's set_language view).
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
