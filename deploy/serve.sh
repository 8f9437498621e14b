#!/bin/sh
# Serve the archive under gunicorn with production settings on one machine
# (`make serve`). On the first run it writes a git-ignored .env with freshly
# generated secrets; it never overwrites one. Then it loads .env, migrates,
# gathers the static files for WhiteNoise and starts gunicorn on 127.0.0.1.
#
# Environment: PYTHON (default .venv/bin/python), ARCHIVE_ENV_FILE (default
# .env), ARCHIVE_PORT (8000) and ARCHIVE_WORKERS (2), ARCHIVE_DATA_DIR for
# the .env written on the first run (default var/production).
set -eu
# The database, the key store and the cache are for this account's eyes only.
umask 077
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-.venv/bin/python}
ENV_FILE=${ARCHIVE_ENV_FILE:-.env}

if [ ! -e "$ENV_FILE" ]; then
  data_dir=${ARCHIVE_DATA_DIR:-$ROOT/var/production}
  # A vault key store without its .env means the master key that wraps it is
  # elsewhere (or lost): a new key would make every identity unreadable.
  if [ -e "$data_dir/vault-keys.sqlite3" ]; then
    echo "serve: $data_dir already holds a vault key store, but $ENV_FILE is missing." >&2
    echo "serve: restore $ENV_FILE (its ARCHIVE_MASTER_KEY) from your backup; nothing was changed." >&2
    exit 1
  fi
  secret() { "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(64))'; }
  master_key=$("$PYTHON" -c 'from testimonies.vault.sealing import master_key_generate; print(master_key_generate())')
  signing_key=$("$PYTHON" -c 'from testimonies.accountability.signing import signing_key_generate; print(signing_key_generate())')
  tmp="$ENV_FILE.new.$$"
  cat >"$tmp" <<ENV
# Written by deploy/serve.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Keep it secret.
# Back up ARCHIVE_MASTER_KEY apart from the database and the key store:
# without it no witness's identity can ever be read again (docs/production.md).
ARCHIVE_SECRET_KEY=$(secret)
ARCHIVE_PSEUDONYM_KEY=$(secret)
ARCHIVE_MASTER_KEY=$master_key
# Signs accountability packages; its public half is published at /keys/.
ARCHIVE_SIGNING_KEY=$signing_key
ARCHIVE_ALLOWED_HOSTS=127.0.0.1,localhost
ARCHIVE_DATA_DIR=$data_dir
# 0: no TLS proxy in front; plain http on loopback only (docs/production.md).
ARCHIVE_BEHIND_TLS_PROXY=0
ENV
  # ln refuses to replace a file that appeared meanwhile: never overwrite.
  if ln "$tmp" "$ENV_FILE" 2>/dev/null; then
    echo "serve: wrote $ENV_FILE with new secrets; back up its ARCHIVE_MASTER_KEY now." >&2
  fi
  rm -f "$tmp"
fi

set -a
case "$ENV_FILE" in
  /*) . "$ENV_FILE" ;;
  *) . "./$ENV_FILE" ;;
esac
set +a
export DJANGO_SETTINGS_MODULE=archive.settings.production
mkdir -p "${ARCHIVE_DATA_DIR:-var}"

"$PYTHON" manage.py migrate --noinput -v 0
"$PYTHON" manage.py collectstatic --noinput --clear -v 0
exec "$PYTHON" -m gunicorn --config deploy/gunicorn.conf.py
