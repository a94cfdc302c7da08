from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from einblick.catalog import selectors as catalog
from einblick.orientation import selectors as orientation

from . import rules, selectors, services
from .forms import (
    EmailChangeForm,
    JoinClassForm,
    LoginForm,
    PupilSignupForm,
    QueuedPasswordResetForm,
    SchoolClassForm,
    TeacherSignupForm,
)
from .models import SchoolClass

BACKEND = "einblick.accounts.backends.UsernameOrEmailBackend"
EMAIL_TAKEN = gettext_lazy("There already is an account with this e-mail address. Try logging in.")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_email_context = {"base_url": settings.EINBLICK["BASE_URL"]}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def home(request):
    user = request.user
    context = {
        "classes": selectors.classes_of_teacher(user) if user.is_teacher else [],
        "companies": catalog.companies_of(user),
        "interest_results": orientation.results_of(user),
    }
    return render(request, "accounts/home.html", context)


def signup(request):
    return render(request, "accounts/signup.html")


def signup_pupil(request):
    form = PupilSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.pupil_signup(**form.cleaned_data)
        except IntegrityError:  # the same address registered a moment ago
            form.add_error("email", EMAIL_TAKEN)
            return render(request, "accounts/signup_pupil.html", {"form": form})
        login(request, user, backend=BACKEND)
        messages.success(
            request, _("Welcome, %(name)s! Your account is ready.") % {"name": user.display_name}
        )
        return redirect("accounts:home")
    return render(request, "accounts/signup_pupil.html", {"form": form})


def join_class(request):
    form = JoinClassForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    if request.method == "POST" and form.is_valid():
        user = services.pupil_join_class(
            school_class=form.school_class,
            nickname=form.cleaned_data["nickname"],
            password=form.cleaned_data["password"],
        )
        login(request, user, backend=BACKEND)
        request.session["show_username"] = user.username
        return redirect("accounts:joined")
    return render(request, "accounts/join_class.html", {"form": form})


@login_required
def joined(request):
    """Shown once after joining with a class code: the generated user name the pupil needs to log in again."""
    username = request.session.pop("show_username", None)
    if username is None:
        return redirect("accounts:home")
    return render(request, "accounts/joined.html", {"username": username})


def signup_teacher(request):
    form = TeacherSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # no school without its teacher
                school = services.school_get_or_create(
                    name=data["school_name"], kind=data["school_kind"], place=data["school_place"]
                )
                user = services.teacher_signup(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    password=data["password"],
                    school=school,
                )
        except IntegrityError:  # the same address registered a moment ago
            form.add_error("email", EMAIL_TAKEN)
            return render(request, "accounts/signup_teacher.html", {"form": form})
        login(request, user, backend=BACKEND)
        messages.success(request, _("Your teacher account is ready. Create your first class now."))
        return redirect("accounts:class_create")
    return render(request, "accounts/signup_teacher.html", {"form": form})


def _require_teacher(request):
    if not rules.can_manage_classes(request.user):
        raise Http404


@login_required
def class_list(request):
    _require_teacher(request)
    return render(
        request, "accounts/class_list.html", {"classes": selectors.classes_of_teacher(request.user)}
    )


@login_required
def class_create(request):
    _require_teacher(request)
    if request.user.school_id is None:
        messages.error(request, _("Your account has no school yet. Please contact the network team."))
        return redirect("accounts:home")
    form = SchoolClassForm(request.POST or None, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        school_class = services.class_create(teacher=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Class %(name)s created. Give your pupils the class code.") % {"name": school_class.name},
        )
        return redirect("accounts:class_detail", pk=school_class.pk)
    return render(request, "accounts/class_form.html", {"form": form})


def _own_class(request, pk: int) -> SchoolClass:
    _require_teacher(request)
    try:
        return selectors.class_for_teacher(request.user, pk)
    except SchoolClass.DoesNotExist:
        raise Http404


@login_required
def class_detail(request, pk: int):
    school_class = _own_class(request, pk)
    pupils = school_class.pupils.order_by("nickname").only("nickname", "date_joined")
    join_url = request.build_absolute_uri(reverse_lazy("accounts:join_class")) + f"?code={school_class.code}"
    context = {
        "school_class": school_class,
        "pupils": pupils,
        "join_url": join_url,
        "shared_results": orientation.shared_results_of_class(school_class),
    }
    return render(request, "accounts/class_detail.html", context)


@login_required
@require_POST
def class_code_renew(request, pk: int):
    school_class = services.class_code_renew(school_class=_own_class(request, pk))
    messages.success(
        request, _("New class code: %(code)s. The old code no longer works.") % {"code": school_class.code}
    )
    return redirect("accounts:class_detail", pk=school_class.pk)


@login_required
def email_change(request):
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.email_change_request(
            user=request.user, new_email=form.cleaned_data["email"], base_url=settings.EINBLICK["BASE_URL"]
        )
        messages.success(
            request, _("We sent a confirmation link to the new address. Your old address stays until then.")
        )
        return redirect("accounts:home")
    return render(request, "accounts/email_change.html", {"form": form})


def email_change_confirm(request, token: str):
    user = services.email_change_confirm(token=token)
    if user is None:
        messages.error(
            request, _("This confirmation link is invalid or has expired. Please request a new one.")
        )
    else:
        messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": user.email})
    return redirect("accounts:home" if request.user.is_authenticated else "accounts:login")


# ------------------------------------------------------------------------------------------------ parental consent

CONSENT_ANSWERS = {"agree": True, "decline": False, "withdraw": False}


@never_cache
@require_http_methods(["GET", "POST"])
def consent(request, token: str):
    """The parent's page behind the e-mail link: no account, the link is the key."""
    consent = selectors.consent_by_token(token)
    if consent is None:
        return render(request, "accounts/consent_invalid.html", status=404)
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        if answer in CONSENT_ANSWERS:
            try:
                consent = services.consent_answer(token=token, accept=CONSENT_ANSWERS[answer])
            except ValidationError as error:
                if error.code == "expired":
                    return render(request, "accounts/consent_expired.html", {"consent": consent}, status=410)
                return render(request, "accounts/consent_invalid.html", status=404)
            return render(request, "accounts/consent_done.html", {"consent": consent, "answer": answer})
    state = consent.state
    if state == "expired":
        return render(request, "accounts/consent_expired.html", {"consent": consent}, status=410)
    context = {"consent": consent, "state": state, "consent_age": settings.EINBLICK["CONSENT_AGE"]}
    return render(request, "accounts/consent.html", context, status=400 if request.method == "POST" else 200)
