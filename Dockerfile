# One image for every fleet process: worker, beat, migrate, exporter, flower, sandbox.
# Dependencies come from requirements.lock, pinned with hashes (`make lock` rewrites it
# from pyproject.toml); pip refuses any file whose hash is not in the lock.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY snap ./snap
COPY storage ./storage
COPY worker ./worker
COPY tasks ./tasks
COPY beat_schedule.py ./
# The project itself, with no dependency resolution: everything it needs is locked above.
RUN pip install --no-deps . \
    && useradd --create-home snapfleet \
    && mkdir -p /var/lib/snapfleet/media \
    && chown -R snapfleet /var/lib/snapfleet
USER snapfleet
# worker metrics, exporter, flower
EXPOSE 9808 9809 5555
ENTRYPOINT ["snapfleet"]
CMD ["--help"]
