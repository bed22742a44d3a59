#!/usr/bin/env bash
# pretest: the browser tests drive Debian's chromium; install it when it is missing and we may (root + apt-get),
# otherwise stop with one line that says what to install.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "pretest: installing Debian's chromium for the browser tests (once)" >&2
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) && command -v chromium >/dev/null; then
    exit 0
  fi
  echo "pretest: apt-get could not install chromium; install it (apt-get install -y chromium) and run the tests again" >&2
  exit 1
fi
echo "pretest: the browser tests need /usr/bin/chromium: run 'sudo apt-get install -y chromium' (Debian/Ubuntu) and try again" >&2
exit 1
