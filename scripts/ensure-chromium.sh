#!/usr/bin/env bash
# Make sure a headless Chromium is available for the report tests; print its path.
#
#   bash scripts/ensure-chromium.sh        find chromium, or install Debian's package; print the path
#
# Looks for $BACKSTRIDE_CHROMIUM, then chromium / chromium-browser / google-chrome on PATH.
# When none is found and we run as root on a system with apt-get, installs the Debian
# `chromium` package (non-interactive, no recommended packages). Idempotent: when Chromium
# is already there it only prints the path. Only the path goes to stdout, so
# `CHROMIUM=$(bash scripts/ensure-chromium.sh 2>/dev/null)` works; progress goes to stderr.
# Exit status 1 when Chromium is missing and cannot be installed here.
set -euo pipefail

log() { printf 'ensure-chromium: %s\n' "$*" >&2; }

find_chromium() {
    if [ -n "${BACKSTRIDE_CHROMIUM:-}" ] && [ -x "${BACKSTRIDE_CHROMIUM}" ]; then
        printf '%s\n' "${BACKSTRIDE_CHROMIUM}"
        return 0
    fi
    local name
    for name in chromium chromium-browser google-chrome; do
        if command -v "${name}" >/dev/null 2>&1; then
            command -v "${name}"
            return 0
        fi
    done
    return 1
}

if path=$(find_chromium); then
    printf '%s\n' "${path}"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "Chromium not found; install it (Debian/Ubuntu: sudo apt-get install chromium)"
    log "or point BACKSTRIDE_CHROMIUM at a Chromium/Chrome binary"
    exit 1
fi

log "installing Debian's chromium package (this takes a minute)"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends chromium >&2; then
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends chromium >&2
fi

if path=$(find_chromium); then
    printf '%s\n' "${path}"
    exit 0
fi
log "chromium was installed but is not on PATH"
exit 1
