from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    # Replaced by the role home queues (search & queues work).
    return render(request, "puente/base.html")
