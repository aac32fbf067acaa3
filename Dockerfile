# One image for the web server, the Celery worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

# Pango and a font for WeasyPrint's decision letters; gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

# The same uv as dev.py, from PyPI, so the image installs exactly what uv.lock pins.
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.9

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/app/.venv/bin:$PATH \
    STATIC_MANIFEST=1

WORKDIR /app

# Dependencies before the code, so a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache

COPY . .
# The manifest that STATIC_MANIFEST=1 reads is made here, once, not at every start.
RUN python manage.py collectstatic --no-input \
    && if [ -d locale ]; then python manage.py compilemessages --ignore=.venv; fi

# The code stays root's and read-only; the app writes only where the volumes are mounted.
# A real, writable home: fontconfig (under WeasyPrint) keeps its cache there, and gunicorn its
# control socket.
RUN useradd --system --uid 10001 --create-home --shell /usr/sbin/nologin app \
    && mkdir -p /data/private-media /data/beat \
    && chown app:app /data/private-media /data/beat \
    && chmod 700 /data/private-media
USER app
ENV PRIVATE_MEDIA_ROOT=/data/private-media

EXPOSE 8000
# gunicorn takes its worker count from WEB_CONCURRENCY.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
