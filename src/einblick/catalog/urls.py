from django.urls import path

from .views import manage, public, staff

app_name = "catalog"

urlpatterns = [
    path("suche/", public.search, name="search"),
    path("berufe/", public.profession_list, name="professions"),
    path("berufe/<slug:slug>/", public.profession_detail, name="profession"),
    path("betriebe/", public.company_list, name="companies"),
    path("betriebe/<slug:slug>/", public.company_detail, name="company"),
    path("angebote/", public.offer_list, name="offers"),
    path("angebote/<int:pk>/", public.offer_detail, name="offer"),
    path("angebote/<int:pk>/bewerben/", public.offer_apply, name="offer_apply"),
    # company members
    path("betrieb/registrieren/", manage.company_register, name="company_register"),
    path("betrieb/einladung/<str:token>/", manage.invitation_accept, name="invitation_accept"),
    path("betrieb/<slug:slug>/", manage.company_manage, name="company_manage"),
    path("betrieb/<slug:slug>/profil/", manage.company_edit, name="company_edit"),
    path("betrieb/<slug:slug>/standorte/neu/", manage.site_edit, name="site_add"),
    path("betrieb/<slug:slug>/standorte/<int:pk>/", manage.site_edit, name="site_edit"),
    path("betrieb/<slug:slug>/kontakte/neu/", manage.contact_edit, name="contact_add"),
    path("betrieb/<slug:slug>/kontakte/<int:pk>/", manage.contact_edit, name="contact_edit"),
    path("betrieb/<slug:slug>/angebote/neu/", manage.offer_edit, name="offer_add"),
    path("betrieb/<slug:slug>/angebote/<int:pk>/", manage.offer_edit, name="offer_edit"),
    path("betrieb/<slug:slug>/angebote/<int:pk>/loeschen/", manage.offer_delete, name="offer_delete"),
    path("betrieb/<slug:slug>/einladen/", manage.invite, name="invite"),
    # network staff
    path("netzwerk/betriebe/", staff.company_queue, name="staff_companies"),
    path("netzwerk/betriebe/<slug:slug>/<str:action>/", staff.company_decide, name="staff_company_decide"),
    path("netzwerk/angebote/<int:pk>/ausblenden/", staff.offer_hide, name="staff_offer_hide"),
    path("netzwerk/import/", staff.offer_import, name="staff_offer_import"),
]
