# One image: the server and the PWA. SQLite by default (a volume at /data);
# set DATABASE_URL=postgresql://user:password@host/db for PostgreSQL.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend backend
COPY sync sync
COPY pwa pwa
RUN pip install --no-cache-dir . && useradd --create-home affaires && mkdir /data \
    && chown affaires /data

USER affaires
ENV AFFAIRES_PWA_DIR=/app/pwa \
    DATABASE_URL=sqlite+aiosqlite:////data/affaires.db \
    AFFAIRES_SECRET_FILE=/data/affaires.secret
VOLUME /data
EXPOSE 8000
CMD ["affaires", "serve", "--host", "0.0.0.0", "--port", "8000"]
