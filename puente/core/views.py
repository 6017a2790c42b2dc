from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from puente.core.queries import home_queues


@login_required
def home(request):
    """Each role's own work. The lists hold case data, so every one of them is read
    through the same permission filters as the case and contact pages."""
    return render(request, "core/home.html", {"queues": home_queues(user=request.user)})
