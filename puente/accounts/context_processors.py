from django.http import HttpRequest

from puente.accounts.domain import fully_signed_in
from puente.accounts.roles import permissions_for


def permissions(request: HttpRequest) -> dict[str, frozenset[str]]:
    # Templates ask `{% if "case.view" in my_perms %}`: the same codes the views check.
    # Past the password only, the pages show nothing of the hotline yet — no menu, and no
    # live stream, whose background requests would only be sent back to the second-factor
    # page and could answer after signing in had renewed the session.
    user = getattr(request, "user", None)
    signed_in = fully_signed_in(user)
    return {"my_perms": permissions_for(user.role) if signed_in else frozenset()}  # type: ignore[union-attr]
