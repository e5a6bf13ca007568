"""Language of API responses.

Pages carry their language in the address (/en/…), and unprefixed pages are
Danish. The API has no language prefix, so it follows the client's
Accept-Language header instead.
"""

from django.utils import translation


class ApiLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Content-Language", translation.get_language())
        return response
