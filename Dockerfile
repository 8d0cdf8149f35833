# One image for the web process, the Celery worker and Celery beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango; Node builds the GOV.UK Design System into static files.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation nodejs npm \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN pip install -e . \
    && npm run build \
    && DEBUG=true python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/media && chown -R app /app/media

USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "python:transformation.gunicorn_conf", "transformation.wsgi"]
