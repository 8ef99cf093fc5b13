#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a downloaded browser). Installs it when it is
# missing and this user may; otherwise says what to do.
set -u
if [ -x /usr/bin/chromium ] || [ -n "${PAKN_CHROMIUM:-}" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) && exit 0
fi
echo "The browser tests need Debian's chromium at /usr/bin/chromium: sudo apt-get install chromium (or set PAKN_CHROMIUM to a Chromium binary)." >&2
exit 1
