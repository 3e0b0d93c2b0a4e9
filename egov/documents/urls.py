from django.urls import URLPattern, URLResolver, path

from egov.documents.views import incoming, lists, outgoing

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
    path("den/<int:pk>/giao-tiep/", incoming.sub_assign, name="incoming_sub_assign"),
    path("den/<int:pk>/tep/", incoming.incoming_file, name="incoming_file"),
    path("di/soan/", outgoing.create_draft, name="outgoing_create"),
    path("di/mat/", outgoing.register_secret, name="outgoing_secret"),
    path("di/<int:pk>/", outgoing.outgoing_detail, name="outgoing_detail"),
    path("di/<int:pk>/phien-ban/<int:number>/", outgoing.outgoing_version, name="outgoing_version"),
    path("di/<int:pk>/<slug:action>/", outgoing.outgoing_action, name="outgoing_action"),
]
