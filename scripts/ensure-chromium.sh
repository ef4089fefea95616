#!/usr/bin/env bash
# Make sure a headless-capable Chromium is installed for the report's browser test, and print its path.
# Uses Debian's chromium package; installs it when /usr/bin/chromium is missing.
set -euo pipefail

BROWSER=/usr/bin/chromium

if [ ! -x "$BROWSER" ]; then
    echo "ensure-chromium: installing Debian's chromium package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends chromium >&2
fi

[ -x "$BROWSER" ] || { echo "ensure-chromium: $BROWSER is still missing" >&2; exit 1; }
echo "$BROWSER"
