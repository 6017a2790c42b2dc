"""Quality review's pages: drawing samples and the queue (supervisors), the review of
one contact, the rubric, quality over time, and the feedback an advocate reads on their
own contacts. Thin: the rules and the audit are in puente.training.quality."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm
from puente.intake.queries import contact_for
from puente.training import quality
from puente.training.models.quality import Review, ReviewSample, Rubric
from puente.training.quality_forms import ReviewForm, RubricForm, SampleForm

MONTHS_SHOWN = 6


@require_http_methods(["GET", "POST"])
@require_perm(Perm.QUALITY_REVIEW)
def reviews(request):
    form = SampleForm(request.POST or None, reviewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        advocate = User.objects.get(pk=data["advocate"])
        try:
            sample = quality.draw_sample(
                by=request.user,
                advocate=advocate,
                start=data["start"],
                end=data["end"],
                size=data["size"],
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            drawn = sample.reviews.count()
            messages.success(
                request,
                _("%(drawn)s of %(size)s contacts drawn for review.")
                % {"drawn": drawn, "size": sample.size},
            )
            return redirect("training:reviews")
    rubric = Rubric.objects.filter(current=True).first()
    return render(
        request,
        "training/quality/reviews.html",
        {
            "form": form,
            "pending": quality.pending_reviews(reviewer=request.user)[:200],
            "done": Review.objects.filter(status="done", reviewer=request.user)
            .select_related("advocate")
            .order_by("-reviewed_at")[:20],
            "samples": ReviewSample.objects.select_related("advocate").order_by("-drawn_at")[:10],
            "rubric": rubric,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@require_perm(Perm.QUALITY_REVIEW)
def review(request, review_id: int):
    item = get_object_or_404(Review.objects.select_related("rubric", "advocate"), pk=review_id)
    # Reading the contact is a contact view: permission-checked (a restricted case's
    # contact is refused and the refusal audited) and audited.
    contact = contact_for(user=request.user, contact_id=item.contact_id, request=request)
    scores = {s.criterion_id: s.value for s in item.scores.all()}
    form = ReviewForm(
        request.POST or None, rubric=item.rubric, scores=scores, initial={"comments": item.comments}
    )
    if request.method == "POST" and form.is_valid():
        try:
            quality.submit_review(
                review=item,
                by=request.user,
                values=form.values(),
                comments=form.cleaned_data["comments"],
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("Review saved; the advocate can read it now."))
            return redirect("training:reviews")
    if request.method == "GET":
        record_event(
            action="view", actor=request.user, obj=contact, request=request, reason="quality review"
        )
    return render(
        request,
        "training/quality/review.html",
        {"review": item, "contact": contact, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@require_perm(Perm.QUALITY_REVIEW)
def rubric(request):
    current = Rubric.objects.filter(current=True).prefetch_related("criteria").first()
    rows = max(quality.MAX_CRITERIA, 1)
    if request.method == "POST":
        form = RubricForm(request.POST, rows=rows)
    else:
        form = RubricForm(initial=RubricForm.initial_for(current), rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            saved = quality.save_rubric(
                by=request.user,
                scale_max=form.cleaned_data["scale_max"],
                criteria=form.criteria(),
                change_note=form.cleaned_data["change_note"],
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(
                request, _("Rubric version %(version)s is in use.") % {"version": saved.version}
            )
            return redirect("training:rubric")
    return render(
        request,
        "training/quality/rubric.html",
        {
            "form": form,
            "current": current,
            "older": Rubric.objects.filter(current=False).order_by("-version")[:10],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@require_perm(Perm.QUALITY_REVIEW)
def quality_chart(request):
    over_time = quality.quality_over_time(months=MONTHS_SHOWN, team_label=_("Whole team"))
    chart = {
        "title": _("Mean review score by month, as a percentage of the highest score"),
        "months": over_time.months,
        "series": [
            {"name": s.name, "data": [float(v) if v is not None else None for v in s.values]}
            for s in over_time.series
        ],
    }
    return render(
        request,
        "training/quality/chart.html",
        {"over_time": over_time, "chart": chart},
    )


@require_GET
@require_perm(Perm.KNOWLEDGE_VIEW)
def my_feedback(request):
    """The reviews of the signed-in person's own contacts, and nobody else's."""
    return render(
        request,
        "training/quality/my_feedback.html",
        {"reviews": quality.feedback_for(advocate=request.user)},
    )
