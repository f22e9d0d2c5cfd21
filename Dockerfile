# Demensforløp: the app image. Production runs it against PostgreSQL (see compose.yaml).
FROM python:3.11-slim-bookworm

# MALLOC_ARENA_MAX: glibc gives each of a worker's request threads a memory arena of its own
# by default; two keep a worker's memory about 25 MB lower. MALLOC_MMAP_THRESHOLD_: a fixed
# threshold (glibc's own rises after each large free), so large buffers (a page of the
# national overview, its JSON, gzip's output) go back to the system when freed: about 10 MB
# lower (docs/performance.md).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2

WORKDIR /srv/demensforlop

# Fonts for the charts drawn as PNG (resvg reads the system's fonts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /srv/demensforlop --shell /usr/sbin/nologin app

# Dependencies first, so code changes reuse this layer.
COPY pyproject.toml requirements.lock README.md ./
RUN mkdir app && touch app/__init__.py \
 && pip install -c requirements.lock . \
 && pip uninstall -y demensforlop

COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
# Installed in place, so the command finds migrations/ beside the package.
RUN pip install --no-deps -e . && mkdir -p data && chown app:app data

USER app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# Migrations and the catalogue seed run before serving; both are safe on every start.
CMD ["sh", "-c", "demensforlop migrate && demensforlop seed && exec demensforlop serve --host \"$HOST\" --port \"$PORT\" --workers \"$WORKERS\""]
