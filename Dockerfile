FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FG_VAR_DIR=/app/var
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY jobs ./jobs
COPY transcripts ./transcripts
COPY coding ./coding
COPY themes ./themes
COPY manage.py ./
# EMBEDDINGS=1 adds sentence embeddings for suggestions, with torch's CPU wheel from PyTorch's
# index (PyPI's default torch is a CUDA build of several GB).
ARG EMBEDDINGS=0
RUN if [ "$EMBEDDINGS" = 1 ]; then \
        pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
        && pip install --no-cache-dir ".[embeddings]"; \
    else pip install --no-cache-dir .; fi \
    && useradd --create-home app \
    && mkdir -p /app/var/media /app/var/static && chown -R app /app/var
USER app
RUN DJANGO_SECRET_KEY=build-only DJANGO_DEBUG=0 python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
