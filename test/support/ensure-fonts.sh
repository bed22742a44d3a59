#!/usr/bin/env bash
# The mail screenshots need fonts with real glyphs for Japanese, Chinese, Arabic and Hebrew (Debian's fonts-noto-cjk
# and fonts-noto-core). Install them when missing and we may (root + apt-get), otherwise stop with one line that says what to install.
set -u
has() { [ -n "$(fc-list ":lang=$1" family 2>/dev/null | head -n 1)" ]; }
missing() { for l in ja zh-tw ar he; do has "$l" || return 0; done; return 1; }
command -v fc-list >/dev/null 2>&1 && ! missing && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "screenshots: installing Debian's fonts-noto-cjk and fonts-noto-core for the mail screenshots (once)" >&2
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-noto-cjk fonts-noto-core >/dev/null) && ! missing; then
    exit 0
  fi
  echo "screenshots: apt-get could not install the fonts; install them (apt-get install -y fonts-noto-cjk fonts-noto-core) and run again" >&2
  exit 1
fi
echo "screenshots: CJK, Arabic and Hebrew fonts are missing: run 'sudo apt-get install -y fonts-noto-cjk fonts-noto-core' (Debian/Ubuntu) and try again" >&2
exit 1
