"""Sign-in page of the browsable API: paste a token, browse as its holder.

The URLs are named ``rest_framework:login`` and ``rest_framework:logout``,
so the browsable API shows its usual "Log in" link and leads here.
"""

from django import forms
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from rest_framework_simplejwt.exceptions import InvalidToken

from edu_common.authentication import SESSION_TOKEN_KEY, verify_token


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Bearer token",
        max_length=8192,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        help_text="A JWT from your identity provider, or from "
        "`python3 manage_all.py token --role ROLE` on a local run.",
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().removeprefix("Bearer ").strip()
        try:
            self.identity = verify_token(token)
        except InvalidToken:
            raise forms.ValidationError(
                "This token is not accepted: it is malformed, expired, signed "
                "with another key, or carries no known role."
            ) from None
        return token


@never_cache
@csrf_protect
def sign_in(request):
    """Show the token form; on a valid token keep it in the session."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("api-root")

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session.cycle_key()
        request.session[SESSION_TOKEN_KEY] = form.cleaned_data["token"]
        return redirect(next_url)

    return render(request, "edu_common/sign_in.html", {"form": form, "next": next_url})


@never_cache
def sign_out(request):
    """Forget the session's token."""
    request.session.flush()
    return redirect("api-root")


app_name = "rest_framework"
urlpatterns = [
    path("login/", sign_in, name="login"),
    path("logout/", sign_out, name="logout"),
]
