# One image for every fleet process: worker, beat, migrate, flower, sandbox.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY snap ./snap
COPY storage ./storage
COPY worker ./worker
COPY tasks ./tasks
COPY beat_schedule.py ./
RUN pip install '.[flower]' && useradd --create-home snapfleet
USER snapfleet
ENTRYPOINT ["snapfleet"]
CMD ["--help"]
