# ResearchHub's one image: web (gunicorn), Celery worker and Celery beat all run from it;
# docker-compose.yml picks the command.
FROM python:3.13-slim

# PYTHONPATH: the source tree in /app, not the installed copy, is what runs, so templates,
# static files and migrations are found beside the code.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

WORKDIR /app

RUN groupadd --system researchhub \
    && useradd --system --gid researchhub --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin researchhub

# Dependencies first, from the project metadata alone (empty package folders), so a code
# change does not reinstall them. constraints.txt pins the whole tree: the image gets
# exactly the versions the test suite ran with.
COPY pyproject.toml constraints.txt ./
RUN mkdir researchhub studies frontend \
    && pip install -c constraints.txt .

COPY . .
# Static files are baked into the image; whitenoise serves them under hashed names.
RUN pip install --no-deps . \
    && python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown researchhub:researchhub /app/media

USER researchhub
EXPOSE 8000
CMD ["gunicorn", "researchhub.wsgi:application", "--config", "python:researchhub.gunicorn"]
