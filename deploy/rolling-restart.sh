#!/bin/sh
# Restart Einblick's web processes one at a time, so that the site stays up (docs/operations.md, "Upgrades").
#
#   deploy/rolling-restart.sh 8001 8002 …         (the ports of einblick-web@PORT on this machine)
#
# For each port: restart it, wait until GET /readyz answers 200 (at most READY_TIMEOUT s; otherwise stop here
# and leave the remaining processes on the old version), then wait SETTLE s — longer than nginx's fail_timeout —
# before the next one. RESTART_CMD restarts one process; "%p" stands for the port. The probe is sent as the proxy
# would send it: Host = the first of ALLOWED_HOSTS (from ENV_FILE), X-Forwarded-Proto: https — otherwise Django
# answers 400 (unknown host) or redirects to https.
set -eu
RESTART_CMD=${RESTART_CMD:-systemctl restart einblick-web@%p}
READY_TIMEOUT=${READY_TIMEOUT:-60}
SETTLE=${SETTLE:-6}
ENV_FILE=${ENV_FILE:-/etc/einblick/einblick.env}
[ $# -gt 0 ] || { echo "usage: $0 PORT…" >&2; exit 2; }

if [ -z "${PROBE_HOST:-}" ] && [ -r "$ENV_FILE" ]; then
    PROBE_HOST=$(set -a; . "$ENV_FILE"; printf '%s' "${ALLOWED_HOSTS:-}" | cut -d, -f1 | tr -d ' ')
fi
PROBE_HOST=${PROBE_HOST:-localhost}

for port in "$@"; do
    echo "restarting web process on port $port"
    sh -c "$(printf '%s' "$RESTART_CMD" | sed "s/%p/$port/g")"
    waited=0
    until curl -fs -o /dev/null -H "Host: $PROBE_HOST" -H "X-Forwarded-Proto: https" \
            "http://127.0.0.1:$port/readyz"; do
        waited=$((waited + 1))
        if [ "$waited" -ge "$READY_TIMEOUT" ]; then
            echo "port $port not ready after ${READY_TIMEOUT}s; stopped (see: journalctl -u einblick-web@$port)" >&2
            exit 1
        fi
        sleep 1
    done
    echo "port $port ready after ${waited}s"
    sleep "$SETTLE"
done
