# Production image: gunicorn for web, the same image for the Celery worker and beat
# (docker-compose.yml picks the command). Build: docker build -t sme-support .
# Python 3.11, the oldest of the supported 3.11–3.13: the version CI runs the whole suite,
# lint and type checks on, so production runs what has the most testing behind it. Moving to
# 3.13 is this line once CI's full run moves with it (README, Requirements).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/uploads \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Runtime requirements only (no test tools); psycopg2-binary ships its own libpq.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# collectstatic and the translation catalogues are baked into the image. Settings refuse
# to load with DEBUG off and no real SECRET_KEY, so the build passes a throwaway one that
# exists only in this layer's environment; the running containers get theirs from .env.
RUN DEBUG=false \
    SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && DEBUG=false \
    SECRET_KEY=build-only-collectstatic-key-never-used-at-run-time-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py compile_translations \
 && rm -f /tmp/build.sqlite3

# Non-root: the app writes only to /app/var (uploads, Celery beat's schedule); a named
# volume mounted there starts with this ownership.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home app \
 && mkdir -p /app/var/uploads \
 && chown -R app:app /app/var
USER app

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "sme_support.healthcheck"]
CMD ["gunicorn", "sme_support.wsgi:application", "--config", "python:sme_support.gunicorn_conf"]
