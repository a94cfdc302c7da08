from django.urls import path

from .views import public

app_name = "fair"

urlpatterns = [
    path("", public.fair_index, name="index"),
    path("<slug:slug>/", public.programme, name="programme"),
    path("<slug:slug>/sessions/<int:pk>/", public.session_detail, name="session"),
    path("<slug:slug>/aussteller/", public.exhibitor_list, name="exhibitors"),
    path("<slug:slug>/stand/<slug:company>/", public.booth, name="booth"),
]
