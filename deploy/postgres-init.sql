-- One database per service, each owned by the service's own role: a service owns its tables, runs its
-- own migrations, and can neither connect to another service's database nor act as a superuser.
--
-- A psql script (run by deploy/postgres-init.sh on an empty data volume, with the superuser):
--   psql -v registration_password=… -v notification_password=… -v streaming_password=… -f postgres-init.sql
-- Optional: -v prefix=rakor_test_1234_ puts a prefix before every role and database name.
\set ON_ERROR_STOP on
\if :{?prefix}
\else
  \set prefix ''
\endif
\set registration :prefix 'registration'
\set notification :prefix 'notification'
\set streaming :prefix 'streaming'

CREATE ROLE :"registration" LOGIN PASSWORD :'registration_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE :"registration" OWNER :"registration";
REVOKE ALL ON DATABASE :"registration" FROM PUBLIC;

CREATE ROLE :"notification" LOGIN PASSWORD :'notification_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE :"notification" OWNER :"notification";
REVOKE ALL ON DATABASE :"notification" FROM PUBLIC;

CREATE ROLE :"streaming" LOGIN PASSWORD :'streaming_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE :"streaming" OWNER :"streaming";
REVOKE ALL ON DATABASE :"streaming" FROM PUBLIC;

-- Before PostgreSQL 15 every role may create tables in a database's public schema; give it to the owner only.
\connect :"registration"
ALTER SCHEMA public OWNER TO :"registration";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
\connect :"notification"
ALTER SCHEMA public OWNER TO :"notification";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
\connect :"streaming"
ALTER SCHEMA public OWNER TO :"streaming";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
