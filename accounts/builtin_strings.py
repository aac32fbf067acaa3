"""Built-in strings the applicant sees on the account pages (django-allauth's log-in, sign-up,
password reset and e-mail confirmation) and in Django's form errors and password validator help
texts. Django and allauth ship no Somali or Tigrinya (nor easy-to-read Swedish), so without these
an applicant reading those languages would see the Swedish fallback. Marked here, makemessages
keeps them in the project catalogue, which takes precedence over the packages' own (LOCALE_PATHS
comes first); the msgids must stay exactly as Django and allauth write them."""

from django.utils.translation import gettext_noop, ngettext

# allauth (account templates and forms)
ALLAUTH = [
    gettext_noop("Email"),
    gettext_noop("Signup"),
    gettext_noop("Sign Up"),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("Email address"),
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Forgot your password?"),
    gettext_noop("Password Reset"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an "
        "email allowing you to reset it."
    ),
    gettext_noop("Reset My Password"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop("Verify Your Email Address"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to "
        "finalize the signup process. If you do not see the verification email in your "
        "main inbox, check your spam folder. Please contact us if you do not receive the "
        "verification email within a few minutes."
    ),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam "
        "folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Change Password"),
    gettext_noop("Bad Token"),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been used.  "
        'Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("Confirm Email Address"),
    gettext_noop(
        "This email confirmation link expired or is invalid. Please <a "
        'href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("Your password is now changed."),
    gettext_noop("Confirm"),
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address '
        "for user %(user_display)s."
    ),
]

# Django (form errors, password validators)
DJANGO = [
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("This field is required."),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
]


def _plural_strings(n: int) -> list[str]:
    """Never called: marks Django's plural messages for makemessages."""
    return [
        ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            n,
        ),
        ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            n,
        ),
    ]
