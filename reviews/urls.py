from __future__ import annotations

from django.urls import path

from reviews.views import bulk, conflicts, detail, programs, queue, scoring

app_name = "reviews"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("mine/", queue.my_work, name="my_work"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("conflicts/", conflicts.conflicts, name="conflicts"),
    path("programs/", programs.program_list, name="programs"),
    path("programs/<int:pk>/selection/", programs.selection, name="selection"),
    path("applications/<int:pk>/", detail.application_detail, name="application_detail"),
    path("applications/<int:pk>/start-review/", detail.start_review, name="start_review"),
    path("applications/<int:pk>/request-info/", detail.request_info, name="request_info"),
    path("applications/<int:pk>/override/", detail.override, name="override"),
    path("applications/<int:pk>/decide/", detail.decide, name="decide"),
    path("applications/<int:pk>/sign-off/", detail.sign_off, name="sign_off"),
    path("applications/<int:pk>/message/", detail.message_send, name="message_send"),
    path("applications/<int:pk>/assign/", detail.assign, name="assign"),
    path("applications/<int:pk>/decline/", detail.decline, name="decline"),
    path("applications/<int:pk>/conflict/", detail.conflict, name="conflict"),
    path("applications/<int:pk>/score/", scoring.score, name="score"),
    path("applications/<int:pk>/outcome-report/", detail.outcome_review, name="outcome_review"),
    path(
        "applications/<int:pk>/outcome-report/follow-ups/<int:months>/",
        detail.followup_review,
        name="followup_review",
    ),
    path("applications/<int:pk>/reduce-grant/", detail.reduce_grant, name="reduce_grant"),
    path("applications/<int:pk>/cancel/", detail.cancel_grant, name="cancel_grant"),
    path("applications/<int:pk>/complete/", detail.complete, name="complete"),
]
