"""Headers that tell the browser what this site's pages may do.

Content-Security-Policy: pages load scripts, styles, fonts and images from
this site only, never inline, and may be framed by no one, so that text a
documenter typed (or an imported file carried) can never run as code in a
moderator's browser. Permissions-Policy: no page may ask for the camera,
microphone or location, nor reach payment or USB devices; a witness's or
documenter's phone must never be asked to reveal where it is.

Active in every environment (dev, test, production), so that the browser
tests see the policy the site is served with.
"""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "frame-src 'none'",
        "worker-src 'none'",
        "manifest-src 'self'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    ]
)


class SecurityHeadersMiddleware:
    """Adds the two policies to every response, static files included
    (placed before WhiteNoise in production).

    A view may set a stricter header of its own; it is kept as it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
