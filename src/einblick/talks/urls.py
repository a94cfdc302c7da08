from django.urls import path

from . import views

app_name = "talks"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("<int:pk>/", views.my_talks, name="mine"),
    path("<int:pk>/buchen/", views.book, name="book"),
    path("gespraech/<int:talk_pk>/absagen/", views.cancel, name="cancel"),
    path("<int:pk>/plan.ics", views.plan_ics, name="ics"),
    path("<int:pk>/verwalten/", views.manage, name="manage"),
    path("<int:pk>/verwalten/zuteilen/", views.allocate_start, name="allocate"),
    path("<int:pk>/verwalten/veroeffentlichen/", views.publish, name="publish"),
]
