from django.urls import URLPattern, URLResolver, path

from egov.documents.views import incoming, lists, outgoing, signing

app_name = "documents"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.home, name="home"),
    path("tim-kiem/", lists.search_documents, name="search"),
    path("chuyen-cong-viec/", lists.reassign, name="reassign"),
    path("so/<int:pk>/<int:year>/", lists.register_view, name="register"),
    path("den/vao-so/", incoming.register_incoming, name="incoming_register"),
    path("den/<int:pk>/", incoming.incoming_detail, name="incoming_detail"),
    path("den/<int:pk>/trinh/", incoming.submit_to_leader, name="incoming_submit"),
    path("den/<int:pk>/chi-dao/", incoming.instruct, name="incoming_instruct"),
    path("den/<int:pk>/y-kien/", incoming.add_opinion, name="incoming_opinion"),
    path("den/<int:pk>/hoan-thanh/", incoming.complete, name="incoming_complete"),
    path("den/<int:pk>/mo-lai/", incoming.reopen, name="incoming_reopen"),
    path("den/<int:pk>/giao-tiep/", incoming.sub_assign, name="incoming_sub_assign"),
    path("den/<int:pk>/tep/", incoming.incoming_file, name="incoming_file"),
    path("di/soan/", outgoing.create_draft, name="outgoing_create"),
    path("cho-ky/", signing.awaiting_signature, name="signing_list"),
    path("cho-ky/ky-bang-khoa/", signing.sign_with_key, name="signing_with_key"),
    path("cho-ky/ky-tu-xa/", signing.sign_remotely, name="signing_remotely"),
    path("cho-ky/thiet-bi/bat-dau/", signing.agent_begin, name="signing_agent_begin"),
    path("cho-ky/thiet-bi/hoan-tat/", signing.agent_finish, name="signing_agent_finish"),
    path("di/<int:pk>/trang/<int:page>.png", signing.page_preview, name="outgoing_page_preview"),
    path("di/<int:pk>/vi-tri-ky/", signing.save_placement, name="outgoing_placement"),
    path("di/mat/", outgoing.register_secret, name="outgoing_secret"),
    path("di/<int:pk>/", outgoing.outgoing_detail, name="outgoing_detail"),
    path("di/<int:pk>/phien-ban/<int:number>/", outgoing.outgoing_version, name="outgoing_version"),
    path("di/<int:pk>/<slug:action>/", outgoing.outgoing_action, name="outgoing_action"),
]
