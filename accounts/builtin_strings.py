"""Built-in strings an applicant sees that Django and allauth translate into Swedish, Arabic,
Persian and Ukrainian but not into Somali, Tigrinya or easy-to-read Swedish: allauth's e-mails
(account exists, e-mail confirmation, unknown account, password reset), its messages after
signing in, confirming and signing out, and its new-password labels. Marked here, makemessages
keeps them in the project catalogue, which takes precedence over the libraries' (LOCALE_PATHS
first). So that the pages and e-mails in sv, ar, fa_AF and uk stay as they were, the msgstrs of
those languages are exactly what the libraries' catalogues render (tests/test_builtin_strings.py);
so, ti and sv_LL have translations of their own. The msgids must stay exactly as allauth writes
them. Found by recording the gettext calls of the account pages and e-mails in a test run; the
strings already in the project catalogue (labels, form errors) are not repeated here."""

from django.utils.translation import gettext_noop

ALLAUTH = [
    gettext_noop("Account Already Exists"),
    gettext_noop("Hello from %(site_name)s!"),
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\n"
        "account using email address:\n\n%(email)s\n\nHowever, an account using that email "
        "address already exists.  In case you have\nforgotten about this, please use the "
        "password forgotten procedure to recover\nyour account:\n\n%(password_reset_url)s"
    ),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given your email "
        "address to register an account on %(site_domain)s."
    ),
    gettext_noop("To confirm this is correct, go to %(activate_url)s"),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("Unknown Account"),
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to access an "
        "account with email %(email)s. However, we do not have any record of such an "
        "account in our database."
    ),
    gettext_noop("This mail can be safely ignored if you did not initiate this action."),
    gettext_noop("If it was you, you can sign up for an account using the link below."),
    gettext_noop("Password Reset Email"),
    gettext_noop(
        "You're receiving this email because you or someone else has requested a password "
        "reset for your user account.\nIt can be safely ignored if you did not request a "
        "password reset. Click the link below to reset your password."
    ),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Password successfully changed."),
    gettext_noop("You have signed out."),
]
