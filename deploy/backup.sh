#!/bin/sh
# Einblick backup: the database (pg_dump custom format), the uploads (MEDIA_ROOT) and the private files
# (EINBLICK_PRIVATE_MEDIA_ROOT, tandem files). Redis holds nothing that needs a backup (channel layer, cache).
#
#   deploy/backup.sh [/etc/einblick/einblick.env] [/var/backups/einblick]
#
# Daily from cron or a timer, as a user that can read the media folders and reach the database, e.g.
#   15 2 * * *  einblick  /opt/einblick/deploy/backup.sh /etc/einblick/einblick.env /var/backups/einblick
# Keeps KEEP_DAYS (default 14) days. Copy the folder off the machine (restic, borg, rsync) — a backup on the same
# disk is no backup. pg_dump must be at least the server's major version.
#
# Restore (docs/operations.md, "Backups and restore"):
#   1. stop the web processes and the worker:   systemctl stop einblick.target
#   2. database, into an empty one:             dropdb einblick && createdb -O einblick einblick
#                                               pg_restore --no-owner --role=einblick -d "$DATABASE_URL" DUMP
#      (or into the existing one:               pg_restore --clean --if-exists --no-owner -d "$DATABASE_URL" DUMP)
#   3. files:                                   tar -xzf media-STAMP.tar.gz -C "$MEDIA_ROOT"
#                                               tar -xzf private-STAMP.tar.gz -C "$EINBLICK_PRIVATE_MEDIA_ROOT"
#   4. python -m einblick migrate (if the code is newer than the dump), then systemctl start einblick.target
set -eu

ENV_FILE=${1:-/etc/einblick/einblick.env}
TARGET=${2:-/var/backups/einblick}
KEEP_DAYS=${KEEP_DAYS:-14}

if [ -r "$ENV_FILE" ]; then
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
fi
: "${DATABASE_URL:?DATABASE_URL is not set (env file $ENV_FILE)}"
VAR_DIR=${EINBLICK_VAR_DIR:-./var}
MEDIA=${MEDIA_ROOT:-$VAR_DIR/media}
PRIVATE=${EINBLICK_PRIVATE_MEDIA_ROOT:-$VAR_DIR/private}

STAMP=$(date +%Y-%m-%dT%H%M)
umask 077
mkdir -p "$TARGET"

# libpq takes the same URL; only the scheme differs for some drivers
PG_URL=$(printf '%s' "$DATABASE_URL" | sed -e 's|^postgresql+[a-z]*://|postgresql://|' -e 's|^pgsql://|postgresql://|')
pg_dump --format=custom --no-owner --file="$TARGET/einblick-$STAMP.dump.part" --dbname="$PG_URL"
mv "$TARGET/einblick-$STAMP.dump.part" "$TARGET/einblick-$STAMP.dump"

for pair in "media:$MEDIA" "private:$PRIVATE"; do
    name=${pair%%:*}
    dir=${pair#*:}
    if [ -d "$dir" ]; then
        tar -czf "$TARGET/$name-$STAMP.tar.gz.part" -C "$dir" .
        mv "$TARGET/$name-$STAMP.tar.gz.part" "$TARGET/$name-$STAMP.tar.gz"
    else
        echo "backup: $name folder $dir does not exist, skipped" >&2
    fi
done

# a quick check that the dump is readable
pg_restore --list "$TARGET/einblick-$STAMP.dump" >/dev/null

find "$TARGET" -maxdepth 1 -type f \( -name 'einblick-*.dump' -o -name 'media-*.tar.gz' -o -name 'private-*.tar.gz' \) \
    -mtime +"$KEEP_DAYS" -delete
echo "backup: $TARGET/einblick-$STAMP.dump, media-$STAMP.tar.gz, private-$STAMP.tar.gz"
