"""The language of a request: in the URL for pages, negotiated for scripts.

Pages live under a language prefix (`/ar/...`; English, the default, has
none), so a shared link opens in the language it was shared in, whoever
follows it. The interfaces for scripts (the JSON API, the exports, the
signing key, the language switch, the admin) are outside the prefix and
keep answering in the language the request asks for: the remembered choice
(the language cookie), then Accept-Language. Django's LocaleMiddleware
would answer every unprefixed URL in English once `i18n_patterns` is used;
this middleware keeps that for pages only. docs/languages.md describes it.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponseRedirect, QueryDict
from django.middleware.locale import LocaleMiddleware
from django.urls import (
    LocalePrefixPattern,
    Resolver404,
    get_resolver,
    reverse,
    translate_url,
)
from django.urls.exceptions import NoReverseMatch
from django.utils import translation
from django.utils.cache import patch_vary_headers


def language_of_path(path: str) -> str:
    """The language a page URL is in: its prefix, or the default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def page_after_in(url: str, language: str) -> str:
    """`url` with the page it sends on to (its `next`: the login page's
    after logging in) in `language` too, so that switching on the login
    page also brings the reader to the page they wanted in that language."""
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    after = query.get("next", "")
    if not after.startswith("/") or after.startswith("//"):
        return url
    with translation.override(language_of_path(urlsplit(after).path)):
        query["next"] = translate_url(after, language)
    return urlunsplit(parts._replace(query=query.urlencode(safe="/")))


def remembered_language(request) -> str | None:
    """The language the reader chose with the switcher, if any."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and chosen in dict(settings.LANGUAGES):
        return chosen
    return None


def is_script_interface(path: str, urlconf=None) -> bool:
    """Whether an unprefixed path is one of the routes outside the language
    prefix (API, exports, language switch, admin...)."""
    for entry in get_resolver(urlconf).url_patterns:
        if isinstance(getattr(entry, "pattern", None), LocalePrefixPattern):
            continue
        try:
            if entry.resolve(path.removeprefix("/")):
                return True
        except Resolver404:
            continue
    return False


def alternate_urls(request) -> list[tuple[str, str]]:
    """(language, absolute URL) of the current page in every language, for
    the `hreflang` alternates of public pages; empty off a page."""
    match = request.resolver_match
    if match is None or not match.url_name:
        return []
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    query = urlsplit(request.get_full_path()).query
    urls = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            try:
                path = reverse(name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                return []
        urls.append(
            (code, request.build_absolute_uri(f"{path}?{query}" if query else path))
        )
    return urls


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for pages; negotiation for script
    interfaces; and the entry page in the reader's remembered language."""

    def process_request(self, request):
        path = request.path_info
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if translation.get_language_from_path(path) is None and is_script_interface(
            path, urlconf
        ):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return None
        super().process_request(request)
        # Only the bare entry page follows the remembered choice: every other
        # unprefixed link is English for anyone, as it was shared.
        remembered = remembered_language(request)
        if (
            path == "/"
            and request.method in ("GET", "HEAD")
            and remembered
            and remembered != settings.LANGUAGE_CODE
        ):
            with translation.override(remembered):
                home = reverse("home")
            query = request.META.get("QUERY_STRING", "")
            return HttpResponseRedirect(f"{home}?{query}" if query else home)
        return None

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if request.path_info == "/":
            # The entry page's answer depends on the remembered choice.
            patch_vary_headers(response, ("Cookie",))
        return response
