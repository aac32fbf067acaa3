"""gunicorn settings for docker-compose.yml.

The access log leaves out query strings: search forms and the certificate check send what the
user typed (a name, an identity number, a verification code) as GET parameters, and none of
that may end up in a log."""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
