from django.urls import URLPattern, path

from puente.training import quality_views

urlpatterns: list[URLPattern] = [
    path("reviews/", quality_views.reviews, name="reviews"),
    path("reviews/rubric/", quality_views.rubric, name="rubric"),
    path("reviews/quality/", quality_views.quality_chart, name="quality"),
    path("reviews/<int:review_id>/", quality_views.review, name="review"),
    path("feedback/", quality_views.my_feedback, name="my_feedback"),
]
