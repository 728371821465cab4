#!/bin/sh
# Patroni runs this once, on the member that initialises the cluster (bootstrap.post_bootstrap
# in patroni.yml), with a superuser connection string as $1: the application's owner role
# (migrations and `manage.py db_roles` only) and its database. The owner's password comes from
# the secret store as SAFER_DERBYSHIRE_OWNER_PASSWORD, in Patroni's environment.
set -eu
: "${SAFER_DERBYSHIRE_OWNER_PASSWORD:?set SAFER_DERBYSHIRE_OWNER_PASSWORD for Patroni}"
psql "$1" -v ON_ERROR_STOP=1 -v owner_password="$SAFER_DERBYSHIRE_OWNER_PASSWORD" <<'SQL'
CREATE ROLE safer_derbyshire LOGIN CREATEROLE PASSWORD :'owner_password';
CREATE DATABASE safer_derbyshire OWNER safer_derbyshire;
SQL
# Where the member archives through pgBackRest (its passphrase is in Patroni's environment, as in
# compose.yaml), the repository's stanza is made once, here, by the member that bootstraps.
if [ -n "${PGBACKREST_REPO1_CIPHER_PASS:-}" ] && command -v pgbackrest >/dev/null; then
  pgbackrest --stanza=safer-derbyshire --log-level-console=warn stanza-create
fi
