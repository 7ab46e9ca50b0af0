#!/bin/sh
# Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d): creates each
# service's role and database from deploy/postgres-init.sql with the passwords from .env.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v registration_password="$POSTGRES_REGISTRATION_PASSWORD" \
  -v notification_password="$POSTGRES_NOTIFICATION_PASSWORD" \
  -v streaming_password="$POSTGRES_STREAMING_PASSWORD" \
  -f /etc/rakor/postgres-init.sql
