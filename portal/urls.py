from __future__ import annotations

from django.urls import path

from portal.views import accounts, applications, firm, followup, offers, programs

app_name = "portal"

urlpatterns = [
    path("", firm.dashboard, name="dashboard"),
    # Accounts
    path("signup/", accounts.signup, name="signup"),
    path("signup/sent/", accounts.signup_sent, name="signup_sent"),
    path("verify/<uidb64>/<token>/", accounts.verify_email, name="verify_email"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("password/reset/", accounts.password_reset, name="password_reset"),
    path("password/reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("password/reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("password/change/", accounts.password_change, name="password_change"),
    path("password/change/done/", accounts.password_change_done, name="password_change_done"),
    # Firm
    path("firm/register/", firm.firm_register, name="firm_register"),
    path("firm/join/", firm.join_request_create, name="join_request_create"),
    path("firm/join/<int:pk>/cancel/", firm.join_request_cancel, name="join_request_cancel"),
    path("firm/", firm.firm_profile, name="firm_profile"),
    path("firm/ip/add/", firm.ip_holding_add, name="ip_holding_add"),
    path("firm/ip/<int:pk>/remove/", firm.ip_holding_remove, name="ip_holding_remove"),
    path("firm/products/add/", firm.export_product_add, name="export_product_add"),
    path("firm/products/<int:pk>/remove/", firm.export_product_remove, name="export_product_remove"),
    path("firm/members/", firm.firm_members, name="firm_members"),
    path("firm/members/requests/<int:pk>/", firm.join_request_decide, name="join_request_decide"),
    path("firm/members/invitations/<int:pk>/revoke/", firm.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", firm.invitation_accept, name="invitation_accept"),
    # Programs
    path("programs/", programs.catalogue, name="catalogue"),
    path("programs/<int:pk>/", programs.program_detail, name="program_detail"),
    path("programs/<int:program_pk>/apply/", applications.apply, name="apply"),
    # Applications
    path("applications/", applications.application_list, name="application_list"),
    path("applications/<int:pk>/", followup.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path("applications/<int:pk>/documents/", applications.document_upload, name="document_upload"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/delete/",
        applications.document_delete,
        name="document_delete",
    ),
    path("applications/<int:pk>/submit/", applications.application_submit_view, name="application_submit"),
    path("applications/<int:pk>/messages/", followup.message_send, name="message_send"),
    path("applications/<int:pk>/answer/", followup.info_answer, name="info_answer"),
    path("applications/<int:pk>/withdraw/", followup.withdraw, name="withdraw"),
    path("applications/<int:pk>/outcome/", followup.outcome_report, name="outcome_report"),
    path(
        "applications/<int:pk>/outcome/follow-ups/<int:months>/",
        followup.outcome_followup,
        name="outcome_followup",
    ),
    path("documents/<int:document_pk>/", applications.document_download, name="document_download"),
    # Places offered from the waitlist
    path("offers/<int:offer_pk>/accept/", offers.offer_accept, name="offer_accept"),
    path("offers/<int:offer_pk>/decline/", offers.offer_decline, name="offer_decline"),
    # Notifications
    path("notifications/", followup.notification_list, name="notifications"),
    path("notifications/read/", followup.notification_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", followup.notification_read, name="notification_read"),
]
