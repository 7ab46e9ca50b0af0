-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d).
-- One database per service: a service owns its tables and never reads another's.
CREATE DATABASE registration;
CREATE DATABASE notification;
CREATE DATABASE streaming;
