from django.http import HttpRequest

from puente.accounts.roles import permissions_for


def permissions(request: HttpRequest) -> dict[str, frozenset[str]]:
    # Templates ask `{% if "case.view" in my_perms %}`: the same codes the views check.
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {"my_perms": permissions_for(user.role) if signed_in else frozenset()}  # type: ignore[union-attr]
