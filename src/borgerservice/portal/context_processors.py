from django.conf import settings

PORTAL_NAMESPACES = frozenset({"portal", "selfservice"})


def portal(request):
    """On Min side's pages: the citizen, the menu and the session-timeout figures."""
    match = getattr(request, "resolver_match", None)
    if match is None or not PORTAL_NAMESPACES & set(match.namespaces):
        return {}
    from .auth import current_citizen, idle_seconds
    from .menu import menu_items

    citizen = current_citizen(request)
    return {
        "citizen": citizen,
        "PORTAL_MENU": menu_items(request) if citizen else [],
        "PORTAL_SESSION_SECONDS": idle_seconds(),
        "PORTAL_WARNING_SECONDS": settings.PORTAL_SESSION_WARNING_SECONDS,
        "CITIZEN_PHONE": settings.CITIZEN_PHONE,
        "CITIZEN_EMAIL": settings.CITIZEN_EMAIL,
        "CITIZEN_ADDRESS": settings.CITIZEN_ADDRESS,
    }
